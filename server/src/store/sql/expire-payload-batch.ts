import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** What one batch did: the last id it looked at (undefined: none left after `afterId`) and how many payloads it expired. */
export interface PayloadBatch {
  lastId: string | undefined;
  expired: number;
}

/**
 * Expires the payloads of the next `limit` events, in id order after `afterId` ("" for the
 * first batch), of the events partition `partition` (e.g. `events_p20261204`): the envelope
 * becomes empty bytes and `payload_expired_at` is set to `now`; rows expired before are skipped.
 * One statement, so the rows it locks are `limit` at most and only for that statement. The
 * keyset on the primary key (id, created_at) makes each batch an index range scan, so a large
 * day costs linear time. The old envelopes stay as dead tuples (their TOAST space is reclaimed
 * by VACUUM) until the partition is dropped at retention.
 */
export async function expirePayloadBatch(
  db: Kysely<Database>,
  partition: string,
  afterId: string,
  limit: number,
  now: Date,
): Promise<PayloadBatch> {
  const events = sql.id(partition);
  const { rows } = await sql<{ last_id: string | null; expired: number }>`
    WITH batch AS (
      SELECT id FROM ${events} WHERE id > ${afterId} ORDER BY id LIMIT ${limit}
    ), expired AS (
      UPDATE ${events} AS e SET envelope = ''::bytea, payload_expired_at = ${now}
      FROM batch WHERE e.id = batch.id AND e.payload_expired_at IS NULL
      RETURNING 1
    )
    SELECT (SELECT max(id) FROM batch) AS last_id, (SELECT count(*) FROM expired)::int AS expired`.execute(db);
  const row = rows[0]!;
  return { lastId: row.last_id ?? undefined, expired: row.expired };
}
