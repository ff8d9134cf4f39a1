import type { Clock } from "../domain/clock.js";
import type { Logger } from "../observability/logger.js";
import { isDatabaseUnavailable } from "../store/availability.js";
import type { Store } from "../store/database.js";
import { abandonExpiredLeases, type AfterAbandoned } from "../store/sql/abandon-expired-leases.js";
import { deleteExpiredIdempotencyKeys } from "../store/sql/delete-expired-idempotency-keys.js";
import { renewLeases } from "../store/sql/renew-leases.js";
import { decideAfterAttempt, type RetryPolicy } from "./retry-policy.js";

export interface LeaseKeeperDeps {
  store: Store;
  /** This process's lease owner id. */
  owner: string;
  /** Lease length, ms. The heartbeat renews every third of it; the sweeper looks every quarter (0.5–2 s). */
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  policy: RetryPolicy;
  random: () => number;
  /** Ids of the deliveries this process is attempting right now (renewed; never swept here). */
  running: () => string[];
  /** Called after the sweeper freed deliveries (they are due: look for work), with the abandoned attempts it recorded. */
  onFreed: (attemptIds: string[]) => void;
}

/** How often expired idempotency keys are deleted, ms. */
const KEY_CLEANUP_EVERY_MS = 60_000;

/**
 * Keeps this process's leases alive and frees the leases of dead ones.
 *
 * - Heartbeat: while the process attempts deliveries, every `leaseMs / 3` one statement extends
 *   their leases, so a lease only has to outlive two heartbeats, not an attempt's deadline.
 * - Sweeper: deliveries whose lease expired (their process was killed, froze or lost the
 *   database) get their started attempt recorded as `abandoned` and are due again at once (or
 *   failed when it was the last attempt); see `abandonExpiredLeases`. A killed process's
 *   deliveries are thus taken over within about `leaseMs` + one sweep interval. After a
 *   database outage the sweeper waits one lease length, so live owners renew and record first.
 */
export class LeaseKeeper {
  readonly #deps: LeaseKeeperDeps;
  readonly #timers: NodeJS.Timeout[] = [];
  #lastKeyCleanupMs = 0;
  /** After an outage, no sweeping until then (epoch ms): every lease ran out meanwhile, and their owners renew first. */
  #sweepNotBeforeMs = 0;
  #unwatch: (() => void) | undefined;

  constructor(deps: LeaseKeeperDeps) {
    this.#deps = deps;
  }

  /** Starts the heartbeat and the sweeper (one sweep at once). */
  async start(): Promise<void> {
    const { leaseMs, logger } = this.#deps;
    const guard = (what: string, run: () => Promise<unknown>) => () =>
      void run().catch((error: unknown) => {
        // An unreachable database is reported once by the availability monitor, not per tick.
        if (!isDatabaseUnavailable(error)) logger.warn({ err: error }, `${what} failed`);
      });
    this.#timers.push(setInterval(guard("lease renewal", () => this.renew()), Math.max(250, leaseMs / 3)).unref());
    this.#timers.push(setInterval(guard("lease sweep", () => this.sweep()), Math.min(2000, Math.max(500, leaseMs / 4))).unref());
    // Back from an outage: renew at once, and give every other process one lease length to do the
    // same before sweeping (a lease that ran out during the outage is no sign of a dead owner).
    this.#unwatch = this.#deps.store.availability.onChange((up) => {
      if (!up) return;
      this.#sweepNotBeforeMs = this.#deps.clock.nowMs() + leaseMs;
      guard("lease renewal", () => this.renew())();
    });
    await this.sweep();
  }

  /** Stops both timers (call after the last attempt finished). */
  stop(): void {
    this.#timers.splice(0).forEach(clearInterval);
    this.#unwatch?.();
  }

  /** Extends every lease this process holds by `leaseMs` from now. */
  async renew(): Promise<void> {
    const { store, owner, leaseMs, clock, running } = this.#deps;
    const ids = running();
    if (ids.length === 0 || !store.availability.up) return;
    await renewLeases(store.db, owner, ids, new Date(clock.nowMs() + leaseMs));
  }

  /** Records abandoned attempts of expired leases and frees those deliveries; deletes expired idempotency keys now and then. */
  async sweep(): Promise<void> {
    const { store, clock, logger, policy, random } = this.#deps;
    const nowMs = clock.nowMs();
    if (!store.availability.up || nowMs < this.#sweepNotBeforeMs) return;
    const now = new Date(nowMs);
    const decide = (attemptNumber: number): AfterAbandoned => {
      const decision = decideAfterAttempt({
        attemptNumber,
        outcome: { errorKind: "abandoned", responseExcerpt: "", durationMs: 0 },
        nowMs,
        random,
        policy,
      });
      return decision.kind === "retry"
        ? { state: "pending", nextAttemptAt: new Date(decision.nextAttemptAtMs), finalReason: "" }
        : { state: "failed", nextAttemptAt: null, finalReason: decision.kind === "failed" ? decision.reason : "" };
    };
    const { deliveryIds, attemptIds } = await abandonExpiredLeases(store.db, now, decide, this.#deps.running());
    if (deliveryIds.length > 0) {
      logger.warn(
        { freed: deliveryIds.length, delivery_ids: deliveryIds.slice(0, 20) },
        "expired leases swept (a worker crashed, stalled or lost the database): attempts recorded as abandoned, deliveries due again",
      );
      this.#deps.onFreed(attemptIds);
    }
    if (nowMs - this.#lastKeyCleanupMs >= KEY_CLEANUP_EVERY_MS) {
      this.#lastKeyCleanupMs = nowMs;
      await deleteExpiredIdempotencyKeys(store.db, now);
    }
  }
}
