import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * The bootstrap admin key file: `<dataDir>/admin.key`, one line holding the key, readable and
 * writable by its owner only (0600). The server writes it when it creates the store's first key
 * (see auth/bootstrap.ts); client commands on the same machine read it when no key is given.
 */
export const ADMIN_KEY_FILE = "admin.key";

/** Path of the admin key file in `dataDir`. */
export function adminKeyPath(dataDir: string): string {
  return join(dataDir, ADMIN_KEY_FILE);
}

/** Writes `key` to a new admin key file (0600); fails with EEXIST when one is already there. */
export function writeAdminKeyFile(dataDir: string, key: string): string {
  const path = adminKeyPath(dataDir);
  const fd = openSync(path, "wx", 0o600);
  try {
    writeSync(fd, `${key}\n`);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** The key in `dataDir`'s admin key file, or undefined when there is none (or it is empty). */
export function readAdminKeyFile(dataDir: string): string | undefined {
  const path = adminKeyPath(dataDir);
  if (!existsSync(path)) return undefined;
  const key = readFileSync(path, "utf8").trim();
  return key === "" ? undefined : key;
}

/**
 * The file mode of `dataDir`'s admin key file (e.g. 0o644) when its group or others may read or
 * write it, else undefined (0600 or stricter, or no file). An admin key anyone on the machine can
 * read is anyone's admin key: callers warn.
 */
export function looseAdminKeyFileMode(dataDir: string): number | undefined {
  try {
    const mode = statSync(adminKeyPath(dataDir)).mode & 0o777;
    return (mode & 0o077) === 0 ? undefined : mode;
  } catch {
    return undefined;
  }
}
