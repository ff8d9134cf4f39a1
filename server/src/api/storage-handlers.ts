import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { StorageDaySchema } from "@posthorn/proto";
import { FailedPreconditionError } from "../domain/errors.js";
import { PARTITION_MS } from "../store/partitions.js";
import { dropDay, planPrune, retentionStub, type PruneDay } from "../store/prune-plan-stub.js";
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
  const settings = retentionStub(deps.config);
  const plan = () => planPrune(store.db, clock.nowMs(), settings.retentionDays * PARTITION_MS);
  return {
    async getStorage() {
      const { days } = await plan();
      return {
        days: days.map((day) => storageDay(day, settings.prune)),
        retention: { retentionDays: settings.retentionDays, payloadRetentionDays: settings.payloadRetentionDays ?? 0, pruneEnabled: settings.prune },
        totalBytes: BigInt(days.reduce((sum, day) => sum + day.bytes, 0)),
      };
    },
    /**
     * Drops (or with `dry_run` only lists) each day the plan marks prunable, oldest first, one
     * day at a time (`dropDay`: its three partitions in one transaction).
     * @throws FailedPreconditionError without `dry_run` when POSTHORN_PRUNE is off on this server.
     */
    async pruneStorage(request) {
      if (!request.dryRun && !settings.prune) {
        throw new FailedPreconditionError(
          "pruning is off on this server (POSTHORN_PRUNE=off), as when another deploy sharing the database prunes it; prune there, or turn POSTHORN_PRUNE on here (a dry run shows what would be dropped)",
        );
      }
      const { days } = await plan();
      const doomed = days.filter((day) => day.prunable);
      if (!request.dryRun) for (const day of doomed) await dropDay(store, day);
      return {
        dropped: doomed.map((day) => storageDay(day, true)),
        kept: days.filter((day) => !day.prunable).map((day) => storageDay(day, true)),
        freedBytes: BigInt(doomed.reduce((sum, day) => sum + day.bytes, 0)),
        dryRun: request.dryRun,
      };
    },
  };
}

/**
 * One planned day as the proto's StorageDay. `pruneEnabled` false: nothing is dropped, so a
 * prunable day is shown kept, its reason saying why.
 */
function storageDay(day: PruneDay, pruneEnabled: boolean): StorageDayInit {
  const drop = day.prunable && pruneEnabled;
  return {
    ...(day.fromMs === undefined ? {} : { startTime: timestampFromMs(day.fromMs) }),
    endTime: timestampFromMs(day.toMs),
    partitions: day.partitions.map((p) => ({ table: p.table, name: p.name, bytes: BigInt(p.bytes), rowEstimate: BigInt(Math.max(-1, Math.round(p.rowsEstimate))) })),
    bytes: BigInt(day.bytes),
    drop,
    reason: day.prunable && !pruneEnabled ? `${day.reason}, but POSTHORN_PRUNE is off on this server` : day.reason,
    pendingDeliveries: BigInt(day.pendingDeliveries),
  };
}
