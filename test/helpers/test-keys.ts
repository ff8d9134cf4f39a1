/**
 * The admin API key of test servers: `startTestApp` and `spawnServer` start on a fresh store with
 * `bootstrapAdminKey` (POSTHORN_BOOTSTRAP_ADMIN_KEY) set to it, so the store's first key is this one.
 */
export const TEST_ADMIN_KEY = "phk_testadminkeytestadminkeytestadminkey0000000";

/** Call metadata carrying `key` (`authorization: Bearer <key>`). */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
