/** Most opened secrets kept; past it the oldest entry is dropped (insertion order). */
export const OPENED_SECRET_CACHE_ENTRIES = 10_000;

/**
 * Signing secrets already opened, by subscription id and sealed form, so the delivery workers do
 * not run AES-256-GCM for every claimed delivery (about 2 % of the server's CPU at 1,000
 * deliveries/s, issue 18's W2 profile). A sealed form names its random IV, so a rotated secret is
 * a new entry and never meets a stale one; the keyring's keys are fixed for the process's life,
 * so an entry never outlives the key that opened it. Only successes are kept: a secret that does
 * not open fails again on every attempt. Bounded (`OPENED_SECRET_CACHE_ENTRIES`, a few MB at
 * most); the secrets held are the ones the process signs with anyway.
 */
export class OpenedSecretCache {
  readonly #entries = new Map<string, string>();
  readonly #maxEntries: number;

  constructor(maxEntries = OPENED_SECRET_CACHE_ENTRIES) {
    this.#maxEntries = maxEntries;
  }

  /** The secret sealed as `sealed` for `subscriptionId`, opened by `open` the first time only; `open`'s errors pass through and nothing is kept. */
  get(subscriptionId: string, sealed: string, open: () => string): string {
    // A sealed form never holds a NUL (base64url and dots): the pair maps to one key.
    const key = `${subscriptionId}\u0000${sealed}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const secret = open();
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, secret);
    return secret;
  }

  /** Entries kept now (tests). */
  get size(): number {
    return this.#entries.size;
  }
}
