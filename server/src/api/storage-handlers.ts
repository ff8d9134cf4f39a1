import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { StorageDaySchema } from "@posthorn/proto";
import type { Config } from "../config/config.js";
import { FailedPreconditionError } from "../domain/errors.js";
import type { DropDayResult } from "../store/drop-day.js";
import { PARTITION_MS } from "../store/partitions.js";
import { planPrune, type PruneDay } from "../store/prune-plan.js";
import { prune } from "../store/prune.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";

type StorageDayInit = MessageInitShape<typeof StorageDaySchema>;
type RetentionConfig = Pick<Config, "retentionDays" | "payloadRetentionDays" | "prune">;

/**
 * GetStorage and PruneStorage (proto `WebhookService`; admin only): the operator's view of the
 * day partitions of events, deliveries and attempts (issue 14), and a prune on demand. Both work
 * from the pruner's own plan (store/prune-plan.ts), so what they show is what the next prune
 * does; the retention is this server's (POSTHORN_RETENTION_DAYS, POSTHORN_PAYLOAD_RETENTION_DAYS,
 * POSTHORN_PRUNE), "now" its clock.
 */
export function storageHandlers(deps: ApiDeps): Pick<UnaryHandlers, "getStorage" | "pruneStorage"> {
  const { store, clock, config, metrics } = deps;
  const retentionMs = config.retentionDays * PARTITION_MS;
  return {
    async getStorage() {
      const { days } = await planPrune(store.db, clock.nowMs(), retentionMs);
      return {
        days: days.map((day) => storageDay(day, config)),
        retention: { retentionDays: config.retentionDays, payloadRetentionDays: config.payloadRetentionDays ?? 0, pruneEnabled: config.prune },
        totalBytes: BigInt(days.reduce((sum, day) => sum + day.bytes, 0)),
      };
    },
    /**
     * With `dry_run`: the plan's prunable days as `dropped`. Else a prune (store/prune.ts, as the
     * maintainer runs it): `dropDay` checks each day again under the partition lock, so a day
     * that got a pending delivery since the plan, or whose lock was busy, is answered kept with
     * why, and one another process dropped first is answered dropped (its bytes not counted as
     * freed here). Dropped partitions count in `posthorn_partitions_dropped_total`.
     * @throws FailedPreconditionError without `dry_run` when POSTHORN_PRUNE is off on this server.
     */
    async pruneStorage(request) {
      const nowMs = clock.nowMs();
      const shown = (day: PruneDay) => storageDay(day, { ...config, prune: true });
      if (request.dryRun) {
        const { days } = await planPrune(store.db, nowMs, retentionMs);
        const dropped = days.filter((day) => day.prunable);
        return {
          dropped: dropped.map(shown),
          kept: days.filter((day) => !day.prunable).map(shown),
          freedBytes: BigInt(dropped.reduce((sum, day) => sum + day.bytes, 0)),
          dryRun: true,
        };
      }
      if (!config.prune) {
        throw new FailedPreconditionError(
          "pruning is off on this server (POSTHORN_PRUNE=off), as when another deploy sharing the database prunes it; prune there, or turn POSTHORN_PRUNE on here (--dry-run shows what would be dropped)",
        );
      }
      const { plan, drops } = await prune(store, nowMs, retentionMs);
      const results = new Map(drops.map(({ day, result }) => [day, result]));
      const dropped: StorageDayInit[] = [];
      const kept: StorageDayInit[] = [];
      let freed = 0;
      for (const day of plan.days) {
        const result = results.get(day);
        if (result === undefined) kept.push(shown(day));
        else if (result.outcome === "dropped") {
          dropped.push(shown(day));
          freed += day.bytes;
          for (const partition of day.partitions) metrics.retention.partitionsDropped.inc({ table: partition.table });
        } else if (result.outcome === "gone") dropped.push({ ...shown(day), reason: "dropped meanwhile by another prune" });
        else kept.push({ ...shown(day), drop: false, reason: keptReason(result) });
      }
      return { dropped, kept, freedBytes: BigInt(freed), dryRun: false };
    },
  };
}

/**
 * One planned day as the proto's StorageDay. With pruning off nothing is dropped, so a prunable
 * day is shown kept, its reason saying why.
 */
function storageDay(day: PruneDay, settings: RetentionConfig): StorageDayInit {
  const due = `past retention (${settings.retentionDays} days), no pending deliveries`;
  return {
    ...(day.fromMs === undefined ? {} : { startTime: timestampFromMs(day.fromMs) }),
    endTime: timestampFromMs(day.toMs),
    partitions: day.partitions.map((p) => ({ table: p.table, name: p.name, bytes: BigInt(p.bytes), rowEstimate: BigInt(Math.round(p.rowsEstimate ?? -1)) })),
    bytes: BigInt(day.bytes),
    drop: day.prunable && settings.prune,
    reason: !day.prunable ? day.reason : settings.prune ? due : `${due}, but this server does not prune (POSTHORN_PRUNE=off)`,
    pendingDeliveries: BigInt(day.pendingDeliveries),
  };
}

/** Why `dropDay` kept a day the plan called prunable. */
function keptReason(result: DropDayResult): string {
  if (result.outcome === "kept") return `${result.pendingDeliveries} pending ${result.pendingDeliveries === 1 ? "delivery" : "deliveries"} (since the plan)`;
  return `skipped: a lock was busy (${result.reason ?? "lock timeout"}); the next prune tries again`;
}
