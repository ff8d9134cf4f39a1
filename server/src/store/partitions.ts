import { sql, type Kysely } from "kysely";
import { timeOfId } from "../domain/ids.js";
import type { Database } from "./schema.js";

/**
 * Time partitioning of events, deliveries and attempts (issue 14, migration 0006).
 *
 * Each of the three tables is range-partitioned by day (UTC) on the time its event was stored:
 * `events.created_at`, `deliveries.created_at` (the event's) and `attempts.delivery_created_at`
 * (the delivery's). So one day's three partitions hold a day of events with all their
 * deliveries and attempts, and retention drops them together (`DROP TABLE`, no row deletes,
 * nothing left for VACUUM).
 *
 * Partitions are named by their range, and only this module creates them:
 * - `<table>_pYYYYMMDD`: the day YYYY-MM-DD, [00:00 UTC, next 00:00 UTC);
 * - `<table>_until_YYYYMMDD`: everything before that day (FROM MINVALUE): the rows of a database
 *   converted by migration 0006, kept in the old tables.
 */
export const PARTITIONED_TABLES = ["events", "deliveries", "attempts"] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** One day in milliseconds: the partition width. */
export const PARTITION_MS = 86_400_000;

/** One partition of one table, as named (see above). */
export interface Partition {
  table: PartitionedTable;
  name: string;
  /** Inclusive lower bound, unix ms; undefined for MINVALUE (a converted database's old rows). */
  fromMs: number | undefined;
  /** Exclusive upper bound, unix ms. */
  toMs: number;
}

/** The start (00:00 UTC, unix ms) of the day partition holding time `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / PARTITION_MS) * PARTITION_MS;
}

/** The [from, to) range, as Dates, of the day partition holding time `ms`. */
export function dayRange(ms: number): { from: Date; to: Date } {
  const from = dayStart(ms);
  return { from: new Date(from), to: new Date(from + PARTITION_MS) };
}

/** `YYYYMMDD` of the UTC day starting at `dayMs`. */
function dayName(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10).replaceAll("-", "");
}

/** The UTC midnight of a `YYYYMMDD` name, unix ms. */
function dayOfName(name: string): number {
  return Date.UTC(Number(name.slice(0, 4)), Number(name.slice(4, 6)) - 1, Number(name.slice(6, 8)));
}

const PARTITION_NAME = /^(events|deliveries|attempts)_(p|until_)(\d{8})$/;

/** Reads a partition's table and range from its name; undefined for a name this module does not make. */
export function parsePartitionName(name: string): Partition | undefined {
  const match = PARTITION_NAME.exec(name);
  if (!match) return undefined;
  const day = dayOfName(match[3]!);
  const table = match[1] as PartitionedTable;
  return match[2] === "p" ? { table, name, fromMs: day, toMs: day + PARTITION_MS } : { table, name, fromMs: undefined, toMs: day };
}

/** The name of `table`'s partition for the day starting at `dayMs`. */
export function dayPartitionName(table: PartitionedTable, dayMs: number): string {
  return `${table}_p${dayName(dayMs)}`;
}

/** The name of `table`'s partition for a range as in `Partition`: `_until_` when `fromMs` is undefined (MINVALUE), else the day's. */
export function partitionNameOf(table: PartitionedTable, range: { fromMs: number | undefined; toMs: number }): string {
  return range.fromMs === undefined ? `${table}_until_${dayName(range.toMs)}` : dayPartitionName(table, range.fromMs);
}

/**
 * The partitions attached now, of all three tables, oldest first (then by table). Partitions
 * whose name this module did not make are left out.
 */
export async function listPartitions(db: Kysely<Database>): Promise<Partition[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name
    FROM pg_inherits AS i
    JOIN pg_class AS c ON c.oid = i.inhrelid
    JOIN pg_class AS p ON p.oid = i.inhparent
    WHERE p.relname IN ('events', 'deliveries', 'attempts') AND p.relnamespace = 'public'::regnamespace`.execute(db);
  return rows
    .flatMap((row) => parsePartitionName(row.name) ?? [])
    .sort((a, b) => (a.fromMs ?? -Infinity) - (b.fromMs ?? -Infinity) || PARTITIONED_TABLES.indexOf(a.table) - PARTITIONED_TABLES.indexOf(b.table));
}

/** Arbitrary constant: the advisory lock key that serializes partition changes across processes. */
export const PARTITION_LOCK_KEY = 0x70617274; // "part"

/**
 * Makes sure every day from the day of `fromMs` to the day of `toMs` (both included) has its
 * three partitions, creating the missing ones. A day inside an `_until_` partition's range is
 * covered already. Runs under a transaction-scoped advisory lock, so processes creating
 * partitions at once create each one once. A new partition is made as a plain table and then
 * attached, which takes a SHARE UPDATE EXCLUSIVE lock on the parent instead of the ACCESS
 * EXCLUSIVE lock of `CREATE TABLE … PARTITION OF` (PostgreSQL docs, ALTER TABLE … ATTACH
 * PARTITION), so inserts and the claim go on meanwhile. Returns the names of the partitions made.
 */
export async function ensurePartitions(db: Kysely<Database>, fromMs: number, toMs: number): Promise<string[]> {
  const first = dayStart(fromMs);
  const last = dayStart(toMs);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`.execute(trx);
    const existing = await listPartitions(trx);
    const created: string[] = [];
    for (let day = first; day <= last; day += PARTITION_MS) {
      for (const table of PARTITIONED_TABLES) {
        const covered = existing.some((p) => p.table === table && (p.fromMs ?? -Infinity) <= day && day < p.toMs);
        if (covered) continue;
        const name = dayPartitionName(table, day);
        const from = new Date(day).toISOString();
        const to = new Date(day + PARTITION_MS).toISOString();
        await sql`CREATE TABLE ${sql.id(name)} (LIKE ${sql.id(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(trx);
        await sql`ALTER TABLE ${sql.id(table)} ATTACH PARTITION ${sql.id(name)} FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(trx);
        created.push(name);
      }
    }
    return created;
  });
}

/** Per database handle: the days known to have their partitions (so an Emit checks the catalog once a day). */
const coveredDays = new WeakMap<Kysely<Database>, Set<number>>();

/**
 * Makes sure the partitions for rows created at `times` exist, before an insert (Emit,
 * SendTestEvent). Days seen before on this handle cost nothing; a new day (the first Emit after
 * midnight when the maintenance has not made it yet, or a clock far from the server's) creates
 * its partitions with `ensurePartitions`. Call it on the root handle, outside a transaction.
 */
export async function ensurePartitionsFor(db: Kysely<Database>, times: readonly Date[]): Promise<void> {
  let known = coveredDays.get(db);
  if (!known) coveredDays.set(db, (known = new Set()));
  for (const day of new Set(times.map((time) => dayStart(time.getTime())))) {
    if (known.has(day)) continue;
    await ensurePartitions(db, day, day);
    known.add(day);
  }
}

/** Forgets that the days of `partitions` are covered (they were dropped), so an insert for them makes them again. */
export function forgetPartitions(db: Kysely<Database>, partitions: readonly Partition[]): void {
  const known = coveredDays.get(db);
  for (const partition of partitions) if (partition.fromMs !== undefined) known?.delete(partition.fromMs);
}

/**
 * A lookup by id that reads one partition: `read` is called with the day range of the id's time
 * part (domain/ids.ts), to put on the partition key (`created_at >= from AND created_at < to`).
 * When that finds nothing, `read` is called again with no range, over every partition: ids made
 * before the time-ordered layout (a converted database's) have a random time part. So a known
 * id costs one index probe, and only an unknown or old one costs one per partition.
 */
export async function lookupById<T>(id: string, read: (day: { from: Date; to: Date } | undefined) => Promise<T | undefined>): Promise<T | undefined> {
  const time = timeOfId(id);
  if (time !== undefined) {
    const found = await read(dayRange(time));
    if (found !== undefined) return found;
  }
  return read(undefined);
}
