import type { Command } from "commander";
import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import { ENV_NAMES } from "../config/setting-names.js";
import { loadSecretKeyring } from "../secrets/load-secret-keyring.js";
import { resealSecrets } from "../secrets/reseal-secrets.js";
import { formatSecretKey, generateSecretKey } from "../domain/secret-key.js";
import { SecretUnsealError } from "../secrets/secret-cipher.js";
import { openStore } from "../store/database.js";
import { CONFIG_HELP, fail, print, UsageError } from "./cli-support.js";

/**
 * `posthorn rekey`: re-seals every stored signing secret that is not under the current (first)
 * key of POSTHORN_SECRET_KEYS (or the embedded key file), and seals any left in plain text. It
 * opens the store with the same settings as `serve` and `migrate`. Servers may keep running:
 * they open secrets with every configured key, and each row is written by compare-and-set, so
 * a rotation committed meanwhile is never lost. Prints how many secrets were re-sealed and how
 * many were already current.
 *
 * Exit codes: 0 done; 2 bad configuration, or secrets sealed under a key that is not configured
 * (the message names the key id and the fix; every other secret is re-sealed all the same);
 * 1 the database cannot be used.
 */
export function registerRekeyCommand(program: Command): void {
  program
    .command("rekey")
    .description(`re-encrypt every stored signing secret under the first key of ${ENV_NAMES.secretKeys} and exit`)
    .action(async () => {
      let config;
      let keyring;
      try {
        config = loadConfig();
        keyring = loadSecretKeyring(config).keyring;
      } catch (error) {
        fail(error instanceof ConfigError ? new UsageError(`${error.message}\n${CONFIG_HELP}`) : error);
      }
      const target = config.databaseUrl ? "DATABASE_URL" : `POSTHORN_DATA_DIR=${config.dataDir}`;
      let report;
      try {
        const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, applicationName: config.dbApplicationName, onError: () => {} }).catch((error: Error) => {
          throw new Error(`cannot open the database (${target}): ${error.message}`);
        });
        try {
          report = await resealSecrets(store.db, keyring, "all");
        } finally {
          await store.close();
        }
      } catch (error) {
        if (error instanceof SecretUnsealError) fail(new UsageError(`${error.message}; nothing else was changed for it.`));
        if ((error as { code?: string }).code === "42P01") {
          fail(new Error(`the database (${target}) has no Posthorn tables yet: run \`posthorn migrate\` (or start the server) first`));
        }
        fail(error);
      }
      print(`Re-sealed ${report.resealed} signing secrets under key "${keyring.currentKeyId}"; ${report.current} were already under it.`);
      if (report.unknownKeys.size > 0) {
        const lines = [...report.unknownKeys].map(
          ([keyId, count]) => `  ${count} secret(s) are sealed under key "${keyId}", which is not in ${ENV_NAMES.secretKeys}`,
        );
        fail(
          new UsageError(
            `some secrets could not be re-sealed:\n${lines.join("\n")}\n` +
              `Add those keys back to ${ENV_NAMES.secretKeys} (after the current key "${keyring.currentKeyId}"), run \`posthorn rekey\` again, then remove them.`,
          ),
        );
      }
    });
}

/** `posthorn secret-key`: prints a new random key as a `POSTHORN_SECRET_KEYS` entry (`id:base64`). */
export function registerSecretKeyCommand(program: Command): void {
  program
    .command("secret-key")
    .description(`print a new random encryption key as a ${ENV_NAMES.secretKeys} entry (id:base64); put it first to make it current`)
    .action(() => print(formatSecretKey(generateSecretKey())));
}
