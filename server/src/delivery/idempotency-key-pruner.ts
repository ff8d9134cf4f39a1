import type { Clock } from "../domain/clock.js";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import { deleteExpiredIdempotencyKeys } from "../store/sql/delete-expired-idempotency-keys.js";
import { runEvery } from "./background-task.js";

export interface IdempotencyKeyPrunerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
}

/** How often expired idempotency keys are deleted, ms. */
const KEY_CLEANUP_EVERY_MS = 60_000;

/**
 * Housekeeping of the worker processes: deletes expired idempotency keys at start and then every
 * minute. Expired keys are inert anyway (an Emit may reuse them), so this only keeps the table
 * small; while the database is unreachable it skips its turn.
 */
export class IdempotencyKeyPruner {
  readonly #deps: IdempotencyKeyPrunerDeps;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: IdempotencyKeyPrunerDeps) {
    this.#deps = deps;
  }

  /** Starts pruning; resolves after a first pruning (which may reject). */
  async start(): Promise<void> {
    this.#timer = runEvery(KEY_CLEANUP_EVERY_MS, "idempotency key cleanup", () => this.prune(), this.#deps.logger);
    await this.prune();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Deletes the idempotency keys that expired by now. */
  async prune(): Promise<void> {
    const { store, clock, logger } = this.#deps;
    if (!store.availability.up) return;
    const deleted = await deleteExpiredIdempotencyKeys(store.db, new Date(clock.nowMs()));
    logger.debug({ deleted }, "expired idempotency keys deleted");
  }
}
