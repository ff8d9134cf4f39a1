import type { Clock } from "../domain/clock.js";
import type { Logger } from "../observability/logger.js";
import type { RetentionMetrics } from "../observability/metrics.js";
import type { Store } from "../store/database.js";
import { ensurePartitions, PARTITION_MS, PARTITIONED_TABLES } from "../store/partitions.js";
import { prune, type PruneReport } from "../store/prune.js";
import { deleteExpiredApiKeys } from "../store/sql/delete-expired-api-keys.js";
import { runEvery, runInBackground } from "./background-task.js";

export interface PartitionMaintainerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: RetentionMetrics;
  /** Days kept (`Config.retentionDays`) and whether this process prunes (`Config.prune`). */
  retentionDays: number;
  prune: boolean;
  /** How often it runs, ms (default: hourly). */
  intervalMs?: number;
}

/** How often partitions are made ahead and old ones dropped, ms. */
const MAINTENANCE_EVERY_MS = 3_600_000;
/** Days of partitions made ahead of today (and one behind: a clock a little late, a retried Emit). */
const DAYS_AHEAD = 7;
/** A day kept for its pending deliveries is warned about at most this often per process, ms. */
const WARN_AGAIN_AFTER_MS = 86_400_000;

/**
 * Partition maintenance of the worker processes (issue 14): at start and then hourly, makes
 * the day partitions from yesterday to 7 days ahead (`ensurePartitions`, so Emit seldom has
 * to) and, when pruning is on, drops the days past retention without pending deliveries
 * (store/prune.ts) and deletes API keys that expired longer than the retention ago (portal
 * sessions). Modes: `idle`, `running` (a turn that comes meanwhile is skipped), `stopped`.
 * While the database is unreachable it skips its turn.
 */
export class PartitionMaintainer {
  readonly #deps: PartitionMaintainerDeps;
  #mode: "idle" | "running" | "stopped" = "idle";
  #timer: NodeJS.Timeout | undefined;
  #turn: Promise<unknown> = Promise.resolve();
  /** Day start (or `until-<toMs>`) → when its pending deliveries were last warned about. */
  readonly #warned = new Map<string, number>();

  constructor(deps: PartitionMaintainerDeps) {
    this.#deps = deps;
  }

  get mode(): "idle" | "running" | "stopped" {
    return this.#mode;
  }

  /** Makes the partitions ahead (awaited: may reject), then prunes in the background and every interval. */
  async start(): Promise<void> {
    const { logger, intervalMs = MAINTENANCE_EVERY_MS } = this.#deps;
    this.#timer = runEvery(intervalMs, "partition maintenance", () => this.runOnce(), logger);
    await this.#ensureAhead();
    runInBackground("partition maintenance", () => this.runOnce(), logger);
  }

  /** Stops the timer; resolves once a turn running now has ended. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#mode = "stopped";
    await this.#turn.catch(() => {});
  }

  /**
   * One turn: partitions ahead, then (pruning on) the prune and the expired API keys. Resolves
   * to the prune's report; undefined when the turn was skipped (database down, a turn running,
   * stopped) or pruning is off.
   */
  async runOnce(): Promise<PruneReport | undefined> {
    if (this.#mode !== "idle" || !this.#deps.store.availability.up) return undefined;
    this.#mode = "running";
    const turn = this.#maintain();
    this.#turn = turn;
    try {
      return await turn;
    } finally {
      if (this.#mode === "running") this.#mode = "idle";
    }
  }

  async #ensureAhead(): Promise<void> {
    const now = this.#deps.clock.nowMs();
    await ensurePartitions(this.#deps.store.db, now - PARTITION_MS, now + DAYS_AHEAD * PARTITION_MS);
  }

  async #maintain(): Promise<PruneReport | undefined> {
    const { store, clock, logger, metrics } = this.#deps;
    await this.#ensureAhead();
    if (!this.#deps.prune) return undefined;
    const retentionMs = this.#deps.retentionDays * PARTITION_MS;
    const stopTimer = metrics.pruneDuration.startTimer();
    const report = await prune(store, clock.nowMs(), retentionMs);
    stopTimer();
    this.#report(report);
    const keys = await deleteExpiredApiKeys(store.db, new Date(clock.nowMs() - retentionMs));
    if (keys > 0) logger.info({ deleted: keys }, "expired API keys deleted");
    return report;
  }

  /** Logs each day dropped, skipped or kept, counts the drops and sets the gauges from what remains. */
  #report({ plan, drops }: PruneReport): void {
    const { logger, metrics, clock } = this.#deps;
    const gone = new Set<string>();
    for (const { day, result } of drops) {
      const fields = dayFields(day);
      if (result.outcome === "dropped" || result.outcome === "gone") day.partitions.forEach((p) => gone.add(p.name));
      if (result.outcome === "dropped") {
        const rows = day.partitions.reduce((sum, p) => sum + (p.rowsEstimate ?? 0), 0);
        logger.info({ ...fields, tables: result.dropped, bytes: day.bytes, rows_estimate: rows }, "partition day dropped (past retention)");
        for (const partition of day.partitions) metrics.partitionsDropped.inc({ table: partition.table });
      } else if (result.outcome === "skipped") {
        logger.warn({ ...fields, reason: result.reason }, "partition day not dropped this round: a lock was busy; the next prune tries again");
      }
    }
    const now = clock.nowMs();
    const keptFor = new Map(drops.filter((d) => d.result.outcome === "kept").map((d) => [d.day, d.result.pendingDeliveries]));
    for (const day of plan.days) {
      const pending = keptFor.get(day) ?? (day.prunable ? 0 : day.pendingDeliveries);
      if (pending === 0) continue;
      const key = String(day.fromMs ?? `until-${day.toMs}`);
      if (now - (this.#warned.get(key) ?? -Infinity) < WARN_AGAIN_AFTER_MS) continue;
      this.#warned.set(key, now);
      logger.warn({ ...dayFields(day), pending }, "partition day past retention kept: it has pending deliveries");
    }
    for (const table of PARTITIONED_TABLES) {
      const left = plan.days.flatMap((day) => day.partitions).filter((p) => p.table === table && !gone.has(p.name));
      metrics.partitions.set({ table }, left.length);
      metrics.storageBytes.set({ table }, left.reduce((sum, p) => sum + p.bytes, 0));
    }
  }
}

/** How a log line names a day: `{day: "2026-10-01"}`, or `{until: "2026-10-01"}` for a converted database's `_until_` group. */
function dayFields(day: { fromMs: number | undefined; toMs: number }): { day: string } | { until: string } {
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return day.fromMs === undefined ? { until: iso(day.toMs) } : { day: iso(day.fromMs) };
}
