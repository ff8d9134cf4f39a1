// TEMPORARY stand-in for i14-retention's planPrune/dropDay (removed when that branch is merged).
import { sql, type Kysely } from "kysely";
import type { Store } from "./database.js";
import { forgetPartitions, listPartitions, PARTITION_LOCK_KEY, type PartitionedTable } from "./partitions.js";
import type { Database } from "./schema.js";

export interface PruneDay {
  fromMs: number | undefined;
  toMs: number;
  partitions: { table: PartitionedTable; name: string; bytes: number; rowsEstimate: number }[];
  bytes: number;
  prunable: boolean;
  reason: string;
  pendingDeliveries: number;
}

export async function planPrune(db: Kysely<Database>, nowMs: number, retentionMs: number): Promise<{ days: PruneDay[] }> {
  const partitions = await listPartitions(db);
  const days = new Map<number, PruneDay>();
  for (const p of partitions) {
    const { rows } = await sql<{ bytes: string; rows: number }>`SELECT pg_total_relation_size(${sql.lit(p.name)}::regclass)::text AS bytes, reltuples::float8 AS rows FROM pg_class WHERE relname = ${p.name}`.execute(db);
    let day = days.get(p.toMs);
    if (!day) days.set(p.toMs, (day = { fromMs: p.fromMs, toMs: p.toMs, partitions: [], bytes: 0, prunable: false, reason: "", pendingDeliveries: 0 }));
    const bytes = Number(rows[0]?.bytes ?? 0);
    day.partitions.push({ table: p.table, name: p.name, bytes, rowsEstimate: Math.round(rows[0]?.rows ?? -1) });
    day.bytes += bytes;
  }
  for (const day of days.values()) {
    const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM deliveries WHERE state = 'pending' AND created_at < ${new Date(day.toMs)} AND created_at >= ${new Date(day.fromMs ?? -8e15)}`.execute(db);
    day.pendingDeliveries = Number(rows[0]!.n);
    const past = day.toMs <= nowMs - retentionMs;
    day.prunable = past && day.pendingDeliveries === 0;
    day.reason = !past ? "within retention" : day.pendingDeliveries > 0 ? `${day.pendingDeliveries} pending deliveries` : "past retention";
  }
  return { days: [...days.values()].sort((a, b) => a.toMs - b.toMs) };
}

export async function dropDay(store: Store, day: PruneDay): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`.execute(trx);
    for (const p of day.partitions) await sql`DROP TABLE ${sql.id(p.name)}`.execute(trx);
  });
  forgetPartitions(store.db, day.partitions.map((p) => ({ ...p, fromMs: day.fromMs, toMs: day.toMs })));
}

export function retentionStub(config: object): { retentionDays: number; payloadRetentionDays: number | undefined; prune: boolean } {
  const c = config as { retentionDays?: number; payloadRetentionDays?: number; prune?: boolean };
  return { retentionDays: c.retentionDays ?? 30, payloadRetentionDays: c.payloadRetentionDays, prune: c.prune ?? true };
}
