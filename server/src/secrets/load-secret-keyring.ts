import type { Kysely } from "kysely";
import type { Config } from "../config/config.js";
import { ConfigError } from "../config/config-error.js";
import { ENV_NAMES } from "../config/setting-names.js";
import type { Database } from "../store/schema.js";
import { loadOrCreateSecretKeyFile, secretKeyFilePath } from "./secret-key-file.js";
import { SecretKeyring } from "./secret-keyring.js";
import { listSealingKeyIds } from "../store/sql/list-sealing-key-ids.js";

/**
 * The keyring of this process: POSTHORN_SECRET_KEYS when set; else the key file in the data
 * folder (created when missing). The file is the embedded database's default. On PostgreSQL it
 * serves one machine (a laptop, a test, a benchmark); every process sharing the database needs
 * the same keys, so `startApp` warns about it and refuses to start when the database holds a
 * secret sealed under a key this process lacks (see `checkSealedKeyIds`).
 * @throws ConfigError (exit 2) when the key file cannot be read or made, naming the fix.
 */
export function loadSecretKeyring(config: Pick<Config, "secretKeys" | "databaseUrl" | "dataDir">): { keyring: SecretKeyring; fromFile: string | undefined } {
  if (config.secretKeys !== undefined) return { keyring: new SecretKeyring(config.secretKeys), fromFile: undefined };
  try {
    return { keyring: new SecretKeyring(loadOrCreateSecretKeyFile(config.dataDir)), fromFile: secretKeyFilePath(config.dataDir) };
  } catch (error) {
    throw new ConfigError([
      `${(error as Error).message}. Fix or restore ${secretKeyFilePath(config.dataDir)}, or set ${ENV_NAMES.secretKeys}.`,
    ]);
  }
}

/**
 * Refuses a keyring that cannot open every stored secret: a process started with other keys
 * than the one that sealed them (another machine's key file, a key dropped too early) would
 * fail every delivery of those subscriptions.
 * @throws ConfigError naming the missing key ids and the fix.
 */
export async function checkSealedKeyIds(db: Kysely<Database>, keyring: SecretKeyring, fromFile: string | undefined): Promise<void> {
  const missing = (await listSealingKeyIds(db)).filter((id) => !keyring.keyIds.includes(id));
  if (missing.length === 0) return;
  const source = fromFile === undefined ? ENV_NAMES.secretKeys : `the key file ${fromFile}`;
  throw new ConfigError([
    `${ENV_NAMES.secretKeys} (secretKeys): the database holds signing secrets sealed under key ${missing.map((id) => JSON.stringify(id)).join(", ")}, ` +
      `which ${source} does not have (keys: ${keyring.keyIds.join(", ")}). Give every process that shares the database the same ` +
      `${ENV_NAMES.secretKeys}, with that key in it.`,
  ]);
}
