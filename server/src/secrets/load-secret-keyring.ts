import { ConfigError, ENV_NAMES, type Config } from "../config/config.js";
import { loadOrCreateSecretKeyFile, secretKeyFilePath } from "./secret-key-file.js";
import { SecretKeyring } from "./secret-keyring.js";

/**
 * The keyring of this process: POSTHORN_SECRET_KEYS when set; else, on the embedded database,
 * the key file in the data folder (created when missing). On PostgreSQL the keys must be set:
 * every process that shares the database needs the same ones, and a key file on one machine
 * would leave the others unable to sign.
 * @throws ConfigError (exit 2) on PostgreSQL without POSTHORN_SECRET_KEYS, naming the fix.
 */
export function loadSecretKeyring(config: Pick<Config, "secretKeys" | "databaseUrl" | "dataDir">): SecretKeyring {
  if (config.secretKeys !== undefined) return new SecretKeyring(config.secretKeys);
  if (config.databaseUrl !== undefined) {
    throw new ConfigError([
      `${ENV_NAMES.secretKeys} (secretKeys): required with ${ENV_NAMES.databaseUrl}: signing secrets are stored encrypted and ` +
        `every process on the database needs the same keys. Make a key with \`posthorn secret-key\` and set ` +
        `${ENV_NAMES.secretKeys}=<that id:base64 entry> on every process (keep it in your secret store).`,
    ]);
  }
  try {
    return new SecretKeyring(loadOrCreateSecretKeyFile(config.dataDir));
  } catch (error) {
    throw new ConfigError([
      `${(error as Error).message}. Fix or restore ${secretKeyFilePath(config.dataDir)}, or set ${ENV_NAMES.secretKeys}.`,
    ]);
  }
}
