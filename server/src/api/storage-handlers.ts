import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { StorageDaySchema } from "@posthorn/proto";
import { FailedPreconditionError } from "../domain/errors.js";
import { PARTITION_MS } from "../store/partitions.js";
import { dropDay, type DropDayResult } from "../store/drop-day.js";
import { planPrune, type PruneDay } from "../store/prune-plan.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";

type StorageDayInit = MessageInitShape<typeof StorageDaySchema>;

/**
 * GetStorage and PruneStorage (proto `WebhookService`; admin only): the operator's view of the
 * day partitions of events, deliveries and attempts (issue 14), and a prune on demand. Both work
 * from the pruner's own plan (`planPrune`), so what they show is what the next prune does; the
 * retention is the server's (POSTHORN_RETENTION_DAYS, POSTHORN_PAYLOAD_RETENTION_DAYS,
 * POSTHORN_PRUNE), "now" its clock.
 */
export function storageHandlers(deps: ApiDeps): Pick<UnaryHandlers, "getStorage" | "pruneStorage"> {
  const { store, clock } = deps;
  const settings = retentionSettings(deps.config);
  const plan = () => planPrune(store.db, clock.nowMs(), settings.retentionDays * PARTITION_MS);
  return {
    async getStorage() {
      const { days } = await plan();
      return {
        days: days.map((day) => storageDay(day, settings)),
        retention: { retentionDays: settings.retentionDays, payloadRetentionDays: settings.payloadRetentionDays ?? 0, pruneEnabled: settings.prune },
        totalBytes: BigInt(days.reduce((sum, day) => sum + day.bytes, 0)),
      };
    },
    /**
     * Drops (or with `dry_run` only lists) each day the plan marks prunable, oldest first, one
     * day at a time (`dropDay`, which checks again for pending deliveries under the partition
     * lock: a day that got one since the plan, or whose lock was busy, is answered kept).
     * @throws FailedPreconditionError without `dry_run` when POSTHORN_PRUNE is off on this server.
     */
    async pruneStorage(request) {
      if (!request.dryRun && !settings.prune) {
        throw new FailedPreconditionError(
          "pruning is off on this server (POSTHORN_PRUNE=off), as when another deploy sharing the database prunes it; prune there, or turn POSTHORN_PRUNE on here (a dry run shows what would be dropped)",
        );
      }
      const { days } = await plan();
      const dropped: StorageDayInit[] = [];
      const kept: StorageDayInit[] = [];
      let freed = 0;
      for (const day of days) {
        const shown = storageDay(day, { ...settings, prune: true });
        if (!day.prunable) kept.push(shown);
        else if (request.dryRun) dropped.push(shown);
        else {
          const result = await dropDay(store, day);
          if (result.outcome === "dropped") {
            dropped.push(shown);
            freed += day.bytes;
          } else if (result.outcome === "gone") dropped.push({ ...shown, reason: "dropped meanwhile by another prune" });
          else kept.push({ ...shown, drop: false, reason: keptReason(result) });
        }
      }
      if (request.dryRun) freed = dropped.reduce((sum, day) => sum + Number(day.bytes), 0);
      return { dropped, kept, freedBytes: BigInt(freed), dryRun: request.dryRun };
    },
  };
}

/**
 * One planned day as the proto's StorageDay. With pruning off nothing is dropped, so a prunable
 * day is shown kept, its reason saying why.
 */
function storageDay(day: PruneDay, settings: Settings): StorageDayInit {
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

interface Settings {
  retentionDays: number;
  payloadRetentionDays: number | undefined;
  prune: boolean;
}

/** TEMPORARY until i14-retention's Config fields land: the retention settings with their defaults. */
function retentionSettings(config: object): Settings {
  const c = config as Partial<Settings>;
  return { retentionDays: c.retentionDays ?? 30, payloadRetentionDays: c.payloadRetentionDays, prune: c.prune ?? true };
}
