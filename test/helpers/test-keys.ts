/**
 * The admin API key of test servers: `startTestApp` and `spawnServer` start on a fresh store with
 * `bootstrapAdminKey` (POSTHORN_BOOTSTRAP_ADMIN_KEY) set to it, so the store's first key is this one.
 */
export const TEST_ADMIN_KEY = "phk_testadminkeytestadminkeytestadminkey0000000";

/** Call metadata carrying `key` (`authorization: Bearer <key>`). */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/**
 * The signing-secret encryption key of test servers on PostgreSQL (POSTHORN_SECRET_KEYS), which
 * refuse to start without one; on PGlite they make their own key file in the data folder.
 * Fixed, so that several processes on one test database share it. Not a key to use anywhere else.
 */
export const TEST_SECRET_KEYS = "ktest:ERERERERERERERERERERERERERERERERERERERERERE=";

/** `{ POSTHORN_SECRET_KEYS: TEST_SECRET_KEYS }` when `env` points at PostgreSQL and sets no keys, else nothing. */
export function testSecretKeysEnv(env: Record<string, string | undefined>): Record<string, string> {
  return env.DATABASE_URL && !env.POSTHORN_SECRET_KEYS ? { POSTHORN_SECRET_KEYS: TEST_SECRET_KEYS } : {};
}
