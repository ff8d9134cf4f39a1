import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** One partition table as the catalog sees it. */
export interface PartitionSize {
  name: string;
  /** `pg_total_relation_size`: heap, indexes and TOAST, bytes. */
  bytes: number;
  /** `pg_class.reltuples`; -1 when never vacuumed or analyzed (PostgreSQL 14+). */
  reltuples: number;
  /** False for a table detached but not dropped yet (an interrupted prune), which the next prune finishes. */
  attached: boolean;
  /** `pg_inherits.inhdetachpending`: a `DETACH … CONCURRENTLY` was interrupted; `DETACH … FINALIZE` ends it. */
  detachPending: boolean;
}

/**
 * Every table named like a partition of events, deliveries or attempts (store/partitions.ts
 * names), attached or not, with its size and row estimate. Catalog reads only: costs nothing
 * however large the tables are.
 */
export async function listPartitionSizes(db: Kysely<Database>): Promise<PartitionSize[]> {
  const { rows } = await sql<{ name: string; bytes: number; reltuples: number; attached: boolean; detach_pending: boolean }>`
    SELECT c.relname AS name,
      pg_total_relation_size(c.oid)::float8 AS bytes,
      c.reltuples::float8 AS reltuples,
      i.inhrelid IS NOT NULL AS attached,
      coalesce(i.inhdetachpending, false) AS detach_pending
    FROM pg_class AS c
    LEFT JOIN pg_inherits AS i ON i.inhrelid = c.oid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
      AND c.relname ~ '^(events|deliveries|attempts)_(p|until_)[0-9]{8}$'`.execute(db);
  return rows.map((row) => ({ name: row.name, bytes: Number(row.bytes), reltuples: Number(row.reltuples), attached: row.attached, detachPending: row.detach_pending }));
}
