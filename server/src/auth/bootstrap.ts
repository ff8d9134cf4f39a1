import { mkdirSync } from "node:fs";
import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import { newId } from "../domain/ids.js";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import { findApiKeyByHash } from "../store/sql/find-api-key-by-hash.js";
import { insertFirstApiKey } from "../store/sql/insert-first-api-key.js";
import { adminKeyPath, readAdminKeyFile, writeAdminKeyFile } from "./admin-key-file.js";
import { API_KEY_SHAPE, generateApiKey, hashApiKey, keyPrefix } from "../domain/api-key.js";
import { hasAnyApiKey } from "../store/sql/has-any-api-key.js";

/** Name of the admin key a start creates on a store without keys. */
export const BOOTSTRAP_KEY_NAME = "bootstrap admin";

/**
 * Makes sure a fresh store can be administered: when it has no API key at all (revoked ones
 * count), creates an admin key named "bootstrap admin". Its value is `bootstrapAdminKey`
 * (POSTHORN_BOOTSTRAP_ADMIN_KEY: for PostgreSQL deployments, one value for every process); else
 * the key already in `<dataDir>/admin.key`; else a new random key, written there first (0600),
 * so the README's `npm start` then `npx posthorn …` work with no setting. The key is never
 * logged, only where it is. Processes starting together create one key (see `insertFirstApiKey`).
 */
export async function ensureBootstrapAdminKey(store: Store, config: Config, clock: Clock, logger: Logger): Promise<void> {
  let key = config.bootstrapAdminKey;
  let source: string = "POSTHORN_BOOTSTRAP_ADMIN_KEY";
  if (key === undefined) {
    const path = adminKeyPath(config.dataDir);
    const existing = readAdminKeyFile(config.dataDir);
    if (existing !== undefined && !API_KEY_SHAPE.test(existing)) {
      throw new Error(`${path} does not hold an API key (phk_ + 32 to 128 characters); remove it to have a new admin key created`);
    }
    // Only written when the store really has no key: read whether it has one first.
    if (await hasAnyApiKey(store.db)) return;
    if (existing === undefined) {
      mkdirSync(config.dataDir, { recursive: true });
      key = generateApiKey();
      try {
        writeAdminKeyFile(config.dataDir, key);
      } catch (error) {
        // Another process on this machine wrote it meanwhile: use that one.
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        key = readAdminKeyFile(config.dataDir) ?? key;
      }
    } else {
      key = existing;
    }
    source = path;
  }
  const created = await insertFirstApiKey(store.db, {
    id: newId("apiKey"),
    key_hash: hashApiKey(key),
    key_prefix: keyPrefix(key),
    name: BOOTSTRAP_KEY_NAME,
    role: "admin",
    customer_id: null,
    emit_customer_ids: [],
    created_at: new Date(clock.nowMs()),
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
  });
  if (!created && config.bootstrapAdminKey !== undefined) {
    const known = await findApiKeyByHash(store.db, hashApiKey(key));
    if (!known) {
      logger.warn(
        "POSTHORN_BOOTSTRAP_ADMIN_KEY is ignored: the store already has API keys (it only names the first key of an empty store); create keys with an admin key (posthorn keys create)",
      );
    }
  }
  if (created) {
    // Start-up facts are announced even at `warn` (operators look for where the key is).
    const lifecycle = logger.level === "silent" ? logger : logger.child({}, { level: "info" });
    lifecycle.info({ key_prefix: keyPrefix(key), source }, `created the first admin API key; it is in ${source}`);
  }
}
