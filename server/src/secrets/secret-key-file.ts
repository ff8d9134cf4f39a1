import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { formatSecretKey, generateSecretKey, parseSecretKeys, type SecretKey } from "../domain/secret-key.js";

/**
 * The key file of the embedded database: `<dataDir>/secret-keys`, JSON `{"keys": ["id:base64",
 * …]}` (entries as in POSTHORN_SECRET_KEYS, the first encrypts), readable and writable by its
 * owner only (0600). Used when POSTHORN_SECRET_KEYS is unset; created with one random key when
 * missing. Back it up with the data folder: without it, the stored signing secrets cannot be
 * opened.
 */
export const SECRET_KEY_FILE = "secret-keys";

/** Path of the key file in `dataDir`. */
export function secretKeyFilePath(dataDir: string): string {
  return join(dataDir, SECRET_KEY_FILE);
}

/**
 * The keys in `dataDir`'s key file, creating the file (and the folder) with one new key when
 * there is none. Creation is atomic (written aside, then hard-linked into place), so two
 * processes starting at once end up with the same key.
 * @throws Error naming the file and what is wrong when it cannot be read or holds bad entries.
 */
export function loadOrCreateSecretKeyFile(dataDir: string): SecretKey[] {
  const path = secretKeyFilePath(dataDir);
  if (!existsSync(path)) createKeyFile(dataDir, path);
  let entries: unknown;
  try {
    entries = (JSON.parse(readFileSync(path, "utf8")) as { keys?: unknown }).keys;
  } catch (error) {
    throw new Error(`cannot read the secret key file ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries) || !entries.every((entry) => typeof entry === "string")) {
    throw new Error(`the secret key file ${path} must hold {"keys": ["id:base64", …]}`);
  }
  const { keys, problems } = parseSecretKeys(entries);
  if (problems.length > 0) throw new Error(`the secret key file ${path} is not valid: ${problems.join("; ")}`);
  return keys;
}

function createKeyFile(dataDir: string, path: string): void {
  mkdirSync(dataDir, { recursive: true });
  const aside = `${path}.${process.pid}.new`;
  const fd = openSync(aside, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ keys: [formatSecretKey(generateSecretKey())] })}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(aside, path);
  } catch (error) {
    // Another process created it first: its key is the one.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(aside);
  }
}
