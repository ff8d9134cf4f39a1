/**
 * Retention at scale (issue 14): `attempts` attempts of history over `days` past days, then
 * saturation delivery three times on the same server and database: without pruning, while the
 * bench process drops the days past `retentionDays` (starting `pruneAfterMs` into the window),
 * and without pruning again (after the prune, so both neighbours of the prune run are measured).
 * The server's own pruner is off (`POSTHORN_PRUNE=off`, set by bench/run.ts): only this prune runs.
 *
 * Figures: deliveries/s during the prune window ÷ the median of the two clean windows, and the
 * same for the prune's own span; prune wall time in total and per day; `pg_database_size`
 * before and after the prune next to the size of the dropped partitions (dropping a table frees
 * its files at once: what falls is what was dropped, nothing is left for VACUUM).
 */
import { sql } from "kysely";
import { openStore, type Store } from "../../server/src/store/database.js";
import { dropDay, type DropDayResult } from "../../server/src/store/drop-day.js";
import { PARTITION_MS } from "../../server/src/store/partitions.js";
import { planPrune } from "../../server/src/store/prune-plan.js";
import { loadHistory, type HistoryLoad } from "../retention-load.js";
import type { Rig } from "../rig.js";
import { median } from "../stats.js";
import { runSaturation, type SaturationResult } from "./saturation.js";

export interface RetentionResult {
  load: HistoryLoad & { vacuumSeconds: number; sizeBytes: number };
  /** The clean runs, before and after the prune run. */
  clean: SaturationResult[];
  pruning: SaturationResult;
  /** Deliveries/s of the pruning window ÷ the median clean window. */
  rateRatio: number;
  /** Deliveries/s received between the prune's start and end. */
  pruneSpanPerSec: number;
  /** `pruneSpanPerSec` ÷ the median clean window. */
  pruneSpanRatio: number;
  prune: {
    /** Days the plan called prunable, and partitions in them. */
    days: number;
    partitions: number;
    /** `dropDay` outcomes by kind (all `dropped` when nothing got in the way). */
    outcomes: Partial<Record<DropDayResult["outcome"], number>>;
    seconds: number;
    perDaySeconds: number[];
  };
  size: {
    /** `pg_database_size` right before and right after the prune, bytes. */
    beforeBytes: number;
    afterBytes: number;
    /** Sum of `pg_total_relation_size` of the dropped partitions, read before the prune. */
    droppedPartitionsBytes: number;
    /** (before − after) ÷ before. */
    fallShare: number;
    /** droppedPartitionsBytes ÷ before: the share the database should lose. */
    expectedShare: number;
    /** Growth during the prune of the tables kept (the live workload's rows) and of the system catalogs. */
    keptGrowthBytes: number;
    catalogGrowthBytes: number;
    /** after − (before − dropped + both growths): space the drop left behind (0: none). */
    residueBytes: number;
  };
}

export interface RetentionOptions {
  attempts: number;
  days: number;
  retentionDays: number;
  warmupMs: number;
  measureMs: number;
  backlogCap: number;
  pruneAfterMs: number;
  log: (message: string) => void;
}

export async function runRetention(rig: Rig, options: RetentionOptions): Promise<RetentionResult> {
  const databaseUrl = rig.storeEnv.DATABASE_URL;
  if (!databaseUrl) throw new Error("the retention benchmark needs PostgreSQL");
  const store = await openStore({ databaseUrl, dataDir: "", applicationName: "posthorn-bench-retention" });
  try {
    const load = await loadHistory(store, {
      nowMs: Date.now(),
      days: options.days,
      attempts: options.attempts,
      onDay: (done) => done % 10 === 0 && options.log(`retention: loaded ${done}/${options.days} days`),
    });
    options.log(`retention: loaded ${load.attempts} attempts in ${load.loadSeconds.toFixed(0)} s; VACUUM ANALYZE …`);
    const vacuumStarted = performance.now();
    await sql`VACUUM ANALYZE`.execute(store.db);
    const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
    const sizeBytes = await databaseSize(store);
    options.log(`retention: ${(sizeBytes / 2 ** 30).toFixed(2)} GiB after VACUUM (${vacuumSeconds.toFixed(0)} s)`);

    const saturation = { warmupMs: options.warmupMs, measureMs: options.measureMs, backlogCap: options.backlogCap };
    const before = await runSaturation(rig, saturation);
    options.log(`retention: clean ${before.deliveriesPerSec.toFixed(0)} deliveries/s; now with the prune`);
    let prune: RetentionResult["prune"] | undefined;
    let size: RetentionResult["size"] | undefined;
    let pruneSpanPerSec = Number.NaN;
    const pruning = await runSaturation(rig, {
      ...saturation,
      during: {
        afterMs: options.pruneAfterMs,
        run: async () => {
          const days = (await planPrune(store.db, Date.now(), options.retentionDays * PARTITION_MS)).days.filter((day) => day.prunable);
          const names = days.flatMap((day) => day.partitions.map((p) => p.name));
          const droppedPartitionsBytes = days.reduce((sum, day) => sum + day.bytes, 0);
          const keptBefore = await keptSizes(store, names);
          const beforeBytes = await databaseSize(store);
          const received = await totalReceived(rig);
          const started = performance.now();
          const perDaySeconds: number[] = [];
          const outcomes: RetentionResult["prune"]["outcomes"] = {};
          for (const day of days) {
            const dayStarted = performance.now();
            const { outcome } = await dropDay(store, day);
            outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
            perDaySeconds.push((performance.now() - dayStarted) / 1000);
          }
          const seconds = (performance.now() - started) / 1000;
          pruneSpanPerSec = ((await totalReceived(rig)) - received) / seconds;
          const afterBytes = await databaseSize(store);
          const keptAfter = await keptSizes(store, names);
          const keptGrowthBytes = keptAfter.tables - keptBefore.tables;
          const catalogGrowthBytes = keptAfter.catalog - keptBefore.catalog;
          prune = { days: days.length, partitions: names.length, outcomes, seconds, perDaySeconds };
          size = {
            beforeBytes,
            afterBytes,
            droppedPartitionsBytes,
            fallShare: (beforeBytes - afterBytes) / beforeBytes,
            expectedShare: droppedPartitionsBytes / beforeBytes,
            keptGrowthBytes,
            catalogGrowthBytes,
            residueBytes: afterBytes - (beforeBytes - droppedPartitionsBytes + keptGrowthBytes + catalogGrowthBytes),
          };
          options.log(`retention: pruned ${days.length} days in ${seconds.toFixed(1)} s: ${JSON.stringify(outcomes)}`);
        },
      },
    });
    // As long as the pruning window (which lasts until the prune ends), so the two compare like for like.
    const after = await runSaturation(rig, { ...saturation, measureMs: Math.max(options.measureMs, pruning.windowSeconds * 1000) });
    const clean = median([before.deliveriesPerSec, after.deliveriesPerSec]);
    return {
      load: { ...load, vacuumSeconds, sizeBytes },
      clean: [before, after],
      pruning,
      rateRatio: pruning.deliveriesPerSec / clean,
      pruneSpanPerSec,
      pruneSpanRatio: pruneSpanPerSec / clean,
      prune: prune!,
      size: size!,
    };
  } finally {
    await store.close();
  }
}

async function databaseSize(store: Store): Promise<number> {
  const { rows } = await sql<{ size: string }>`SELECT pg_database_size(current_database()) AS size`.execute(store.db);
  return Number(rows[0]!.size);
}

/** Bytes of every table in `public` but `dropped`, and of the system catalogs (indexes and TOAST included). */
async function keptSizes(store: Store, dropped: string[]): Promise<{ tables: number; catalog: number }> {
  const { rows } = await sql<{ tables: string | null; catalog: string | null }>`
    SELECT sum(pg_total_relation_size(c.oid)) FILTER (WHERE n.nspname = 'public' AND NOT c.relname = ANY(${dropped})) AS tables,
      sum(pg_total_relation_size(c.oid)) FILTER (WHERE n.nspname = 'pg_catalog' AND NOT c.relisshared) AS catalog
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm')`.execute(store.db);
  return { tables: Number(rows[0]?.tables ?? 0), catalog: Number(rows[0]?.catalog ?? 0) };
}

async function totalReceived(rig: Rig): Promise<number> {
  return (await rig.receivers.snapshot()).counts.reduce((a, b) => a + b, 0);
}
