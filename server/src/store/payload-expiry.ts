import type { Kysely } from "kysely";
import { listPartitions, PARTITION_MS, type Partition } from "./partitions.js";
import type { Database } from "./schema.js";
import { expirePayloadBatch } from "./sql/expire-payload-batch.js";
import { hasPendingDeliveries } from "./sql/has-pending-deliveries.js";
import { markPayloadsExpired, payloadExpiredPartitions } from "./sql/payload-expired-partitions.js";

/** Events per UPDATE when payloads expire: small enough that no statement holds its row locks for long. */
export const PAYLOAD_EXPIRY_BATCH = 5000;

/** What one payload expiry run did. */
export interface PayloadExpiryRun {
  /** Payloads expired by this run. */
  expiredEvents: number;
  /** Events partitions whose payloads are all expired now (this run finished them). */
  finishedPartitions: string[];
  /** Events partitions past the payload retention left alone because their day still has a pending delivery. */
  heldByPending: string[];
}

/**
 * Payload expiry (issue 14; Svix expires message payloads the same way): keeps the delivery log
 * but drops the body. Every events partition whose whole range lies more than
 * `payloadRetentionDays` before `now` (its upper bound ≤ now − days), and whose day has no
 * pending delivery (deliveries partition of the same range), gets its envelopes emptied and
 * `payload_expired_at` set, `batchSize` rows per statement. A pending delivery would need its
 * body, so its whole day waits for the next run. A finished partition is remembered
 * (`payload_expired_partitions`), so hourly runs do not read old days again.
 *
 * The emptied rows are dead tuples in their partition until it is dropped at retention; VACUUM
 * reclaims their TOAST space (the envelopes) meanwhile.
 *
 * Safe to run in several processes at once: a row is expired once (`payload_expired_at IS NULL`).
 */
export async function expirePayloads(
  db: Kysely<Database>,
  options: { payloadRetentionDays: number; now: Date; batchSize?: number },
): Promise<PayloadExpiryRun> {
  const { payloadRetentionDays, now } = options;
  const batchSize = options.batchSize ?? PAYLOAD_EXPIRY_BATCH;
  const cutoffMs = now.getTime() - payloadRetentionDays * PARTITION_MS;
  const partitions = await listPartitions(db);
  const events = partitions.filter((p) => p.table === "events");
  const done = await payloadExpiredPartitions(db, events.map((p) => p.name));
  const run: PayloadExpiryRun = { expiredEvents: 0, finishedPartitions: [], heldByPending: [] };
  for (const partition of events) {
    if (partition.toMs > cutoffMs || done.has(partition.name)) continue;
    const deliveries = sameRange(partitions, partition, "deliveries");
    let afterId = "";
    let held = false;
    for (;;) {
      // Checked before every batch: a delivery of this day may be made pending meanwhile (RetryDelivery).
      if (deliveries !== undefined && (await hasPendingDeliveries(db, deliveries.name))) {
        held = true;
        break;
      }
      const batch = await expirePayloadBatch(db, partition.name, afterId, batchSize, now);
      run.expiredEvents += batch.expired;
      if (batch.lastId === undefined) break;
      afterId = batch.lastId;
    }
    if (held) {
      run.heldByPending.push(partition.name);
      continue;
    }
    await markPayloadsExpired(db, partition.name, now);
    run.finishedPartitions.push(partition.name);
  }
  return run;
}

/** The partition of `table` with the same range as `partition` (a day's three partitions are made together). */
function sameRange(partitions: readonly Partition[], partition: Partition, table: Partition["table"]): Partition | undefined {
  return partitions.find((p) => p.table === table && p.fromMs === partition.fromMs && p.toMs === partition.toMs);
}
