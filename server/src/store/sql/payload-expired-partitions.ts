import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The events partitions known to have every payload expired, after forgetting those not in
 * `attached` (dropped at retention since: a partition made again under the same name must be
 * looked at again).
 */
export async function payloadExpiredPartitions(db: Kysely<Database>, attached: readonly string[]): Promise<Set<string>> {
  let forget = db.deleteFrom("payload_expired_partitions");
  if (attached.length > 0) forget = forget.where("partition_name", "not in", attached);
  await forget.execute();
  const rows = await db.selectFrom("payload_expired_partitions").select("partition_name").execute();
  return new Set(rows.map((row) => row.partition_name));
}

/** Remembers that every payload of the events partition `partition` is expired, so later runs skip it. */
export async function markPayloadsExpired(db: Kysely<Database>, partition: string, now: Date): Promise<void> {
  await db
    .insertInto("payload_expired_partitions")
    .values({ partition_name: partition, expired_at: now })
    .onConflict((oc) => oc.column("partition_name").doNothing())
    .execute();
}
