import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/database.js";
import { recordAttempts, type AttemptResult, type RecordedAttempt } from "../store/sql/record-attempts.js";

/** Most attempts written by one transaction. */
const MAX_BATCH = 500;

/**
 * Group commit for attempt outcomes. `record` resolves once the attempt is stored. When no
 * write is running, a result is written at once (no added latency at low load); results that
 * finish while a write is running are written together by the next one, so under load the
 * cost is one transaction per batch instead of one per attempt.
 */
export class AttemptRecorder {
  readonly #store: Store;
  readonly #owner: string;
  readonly #clock: Clock;
  #waiting: { result: AttemptResult; resolve: (r: RecordedAttempt) => void; reject: (e: unknown) => void }[] = [];
  #writing: Promise<void> | undefined;

  constructor(store: Store, owner: string, clock: Clock) {
    this.#store = store;
    this.#owner = owner;
    this.#clock = clock;
  }

  record(result: AttemptResult): Promise<RecordedAttempt> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ result, resolve, reject });
      this.#writing ??= this.#drain();
    });
  }

  /** Resolves when everything handed to `record` so far is written (or failed). */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    // Let attempts finishing in the same tick join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      try {
        const now = new Date(this.#clock.nowMs());
        const recorded = await this.#store.db
          .transaction()
          .execute((trx) => recordAttempts(trx, this.#owner, batch.map((b) => b.result), now));
        batch.forEach((entry, index) => entry.resolve(recorded[index]!));
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    }
    this.#writing = undefined;
  }
}
