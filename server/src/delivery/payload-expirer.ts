import type { Clock } from "../domain/clock.js";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import { expirePayloads, type PayloadExpiryRun } from "../store/payload-expiry.js";
import { runEvery, runInBackground } from "./background-task.js";

export interface PayloadExpirerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** POSTHORN_PAYLOAD_RETENTION_DAYS: whole days an event keeps its payload. */
  payloadRetentionDays: number;
}

/** How often payloads past the payload retention are expired, ms. Partitions are days: an hour is fine-grained enough. */
const PAYLOAD_EXPIRY_EVERY_MS = 3_600_000;

/**
 * Housekeeping of the worker processes when POSTHORN_PAYLOAD_RETENTION_DAYS is set: expires the
 * payloads of days past it (store/payload-expiry.ts) shortly after start and then every hour.
 * A run is never started while the previous one of this process is still going (a first run
 * on a large database may take long); runs of several processes at once are harmless (a row
 * is expired once). While the database is unreachable it skips its turn.
 */
export class PayloadExpirer {
  readonly #deps: PayloadExpirerDeps;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(deps: PayloadExpirerDeps) {
    this.#deps = deps;
  }

  /** Starts expiring: a first run in the background (not awaited: it may take long), then hourly. */
  start(): void {
    this.#timer = runEvery(PAYLOAD_EXPIRY_EVERY_MS, "payload expiry", () => this.expire(), this.#deps.logger);
    runInBackground("payload expiry", () => this.expire(), this.#deps.logger);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One run now; undefined when skipped (database unreachable, or a run of this process is going). */
  async expire(): Promise<PayloadExpiryRun | undefined> {
    const { store, clock, logger, payloadRetentionDays } = this.#deps;
    if (!store.availability.up || this.#running) return undefined;
    this.#running = true;
    try {
      const run = await expirePayloads(store.db, { payloadRetentionDays, now: new Date(clock.nowMs()) });
      const level = run.expiredEvents > 0 || run.heldByPending.length > 0 ? "info" : "debug";
      logger[level](
        { expired_events: run.expiredEvents, finished_partitions: run.finishedPartitions, held_by_pending: run.heldByPending, payload_retention_days: payloadRetentionDays },
        "event payloads expired",
      );
      return run;
    } finally {
      this.#running = false;
    }
  }
}
