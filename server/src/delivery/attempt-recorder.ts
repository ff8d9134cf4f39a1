import type { Clock } from "../domain/clock.js";
import { isDatabaseUnavailable } from "../store/availability.js";
import type { Store } from "../store/database.js";
import { GroupCommit } from "../store/group-commit.js";
import { isLockConflict } from "../store/lock-conflict.js";
import { recordAttempts, type AttemptResult, type RecordedAttempt, type RecordOptions } from "../store/sql/record-attempts.js";

/** Most finished attempts written by one statement. */
const RECORD_BATCH_SIZE = 500;
/** Times an outcome is written again after its batch lost a deadlock (store/lock-conflict.ts). */
const MAX_LOCK_CONFLICT_RETRIES = 3;

/**
 * Writes finished attempts in batches (one statement per batch: group commit). While the
 * database is unreachable an outcome is kept and tried again, so an attempt already sent is not
 * lost to a short outage.
 */
export class AttemptRecorder {
  readonly #store: Store;
  readonly #batches: GroupCommit<AttemptResult, RecordedAttempt>;
  /** Set when the shutdown deadline passed: outcomes that still cannot be recorded are given up. */
  #givenUp = false;

  /**
   * `owner`: this process's lease owner id (only deliveries it still leases change state).
   * `options`: the effects that go with recorded attempts in their transaction (410 Gone,
   * endpoint health, ordered delivery, operational events) and the wake-up when they made
   * deliveries due (delivery/attempt-effects.ts).
   */
  constructor(store: Store, owner: string, clock: Clock, options: RecordOptions = {}) {
    this.#store = store;
    this.#batches = new GroupCommit<AttemptResult, RecordedAttempt>(
      (results) => recordAttempts(store, owner, results, new Date(clock.nowMs()), options),
      RECORD_BATCH_SIZE,
    );
  }

  /**
   * Records an outcome; while the database is unreachable, keeps it and tries again (backoff up
   * to 5 s) until it is written, the lease is lost (the write then only fills in the attempt
   * row), or `giveUp()` was called. Rejects with the write's error otherwise.
   */
  async record(result: AttemptResult): Promise<RecordedAttempt> {
    let conflicts = 0;
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
      try {
        return await this.#batches.submit(result);
      } catch (error) {
        // A batch whose effects (attempt-effects.ts) lock rows and subscriptions in another
        // order than a concurrent transaction may be chosen as a deadlock's victim: it was
        // rolled back whole, so it is written again (a few times, then it is an error).
        if (isLockConflict(error) && ++conflicts <= MAX_LOCK_CONFLICT_RETRIES) continue;
        // The store already told its availability monitor (it reports every failed statement).
        if (!isDatabaseUnavailable(error) || this.#givenUp) throw error;
        await this.#databaseBackOr(delayMs);
      }
    }
  }

  /** From now on, an outcome that cannot be written fails at once (the shutdown deadline passed). */
  giveUp(): void {
    this.#givenUp = true;
  }

  /** Resolves after `ms`, or as soon as the database is reachable again, whichever is first. */
  #databaseBackOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unwatch();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unwatch = this.#store.availability.onChange((up) => up && done());
    });
  }
}
