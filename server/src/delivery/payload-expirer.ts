import type { Clock } from "../domain/clock.js";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import { expirePayloads, type PayloadExpiryRun } from "../store/payload-expiry.js";

export interface PayloadExpiryDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** POSTHORN_PAYLOAD_RETENTION_DAYS: whole days an event keeps its payload. */
  payloadRetentionDays: number;
}

/**
 * One payload expiry turn of the partition maintenance (partition-maintainer.ts, hourly in the
 * worker processes that prune): expires the payloads of days past `payloadRetentionDays`
 * (store/payload-expiry.ts) and logs what it did, at info when it expired something or a day
 * is held by a pending delivery, else at debug. Several processes at once are harmless: a row
 * is expired once. Rejects with the store's error.
 */
export async function expireOldPayloads(deps: PayloadExpiryDeps): Promise<PayloadExpiryRun> {
  const { store, clock, logger, payloadRetentionDays } = deps;
  const run = await expirePayloads(store.db, { payloadRetentionDays, now: new Date(clock.nowMs()) });
  const level = run.expiredEvents > 0 || run.heldByPending.length > 0 ? "info" : "debug";
  logger[level](
    {
      expired_events: run.expiredEvents,
      finished_partitions: run.finishedPartitions,
      held_by_pending: run.heldByPending,
      payload_retention_days: payloadRetentionDays,
    },
    "event payloads expired",
  );
  return run;
}
