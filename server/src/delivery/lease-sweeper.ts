import type { Clock } from "../domain/clock.js";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import { repairStalledTurns } from "../store/ordered-turns.js";
import { ensurePartitionsFor } from "../store/partitions.js";
import { reportExhaustedDeliveries } from "../store/report-exhausted-deliveries.js";
import { abandonExpiredLeases, type AfterAbandoned } from "../store/sql/abandon-expired-leases.js";
import { deliveryAfter } from "./attempt-result.js";
import { runEvery } from "./background-task.js";
import { decideAfterAttempt, type RetryPolicy } from "./retry-policy.js";

/** How often the sweeper repairs stalled ordered queues (a safety net; see `repairStalledTurns`), ms. */
export const ORDERED_REPAIR_INTERVAL_MS = 30_000;

export interface LeaseSweeperDeps {
  store: Store;
  /** Lease length, ms. The sweeper looks every quarter of it (0.5–2 s). */
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  policy: RetryPolicy;
  random: () => number;
  /** Ids of the deliveries this process is attempting right now (never swept here). */
  running: () => string[];
  /**
   * POSTHORN_OPERATIONAL_CUSTOMER_ID: a delivery whose last attempt was abandoned is failed for
   * good, and reported to it (`delivery.exhausted`) in the sweep's transaction. Unset: not reported.
   */
  operationalCustomerId?: string | undefined;
  /**
   * Called after deliveries were freed (they are due, and so are those of the operational
   * events the sweep emitted: look for work), with the abandoned attempts recorded.
   */
  onFreed: (attemptIds: string[]) => void;
}

/**
 * Frees the leases of dead processes: deliveries whose lease expired (their process was killed,
 * froze or lost the database) get their started attempt recorded as `abandoned` and are due
 * again at once (or failed when it was the last attempt); see `abandonExpiredLeases`. A killed
 * process's deliveries are thus taken over within about `leaseMs` + one sweep interval. After a
 * database outage it waits one lease length, so live owners renew and record first. Its first
 * round and one every `ORDERED_REPAIR_INTERVAL_MS` also repair stalled ordered queues
 * (`repairStalledTurns`: waiting deliveries, none active).
 */
export class LeaseSweeper {
  readonly #deps: LeaseSweeperDeps;
  #timer: NodeJS.Timeout | undefined;
  /** After an outage, no sweeping until then (epoch ms): every lease ran out meanwhile, and their owners renew first. */
  #sweepNotBeforeMs = 0;
  /** The next repair of stalled ordered queues is due then (epoch ms, the injected clock). */
  #repairNotBeforeMs = 0;
  #unwatch: (() => void) | undefined;

  constructor(deps: LeaseSweeperDeps) {
    this.#deps = deps;
  }

  /** Starts sweeping; resolves after a first sweep (which may reject). */
  async start(): Promise<void> {
    const { store, leaseMs, clock, logger } = this.#deps;
    this.#timer = runEvery(Math.min(2000, Math.max(500, leaseMs / 4)), "lease sweep", () => this.sweep(), logger);
    // A lease that ran out during an outage is no sign of a dead owner: give every process one lease length to renew.
    this.#unwatch = store.availability.onChange((up) => {
      if (up) this.#sweepNotBeforeMs = clock.nowMs() + leaseMs;
    });
    await this.sweep();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#unwatch?.();
  }

  /** Records abandoned attempts of expired leases and frees those deliveries. */
  async sweep(): Promise<void> {
    const { store, clock, logger, policy, random } = this.#deps;
    const nowMs = clock.nowMs();
    if (!store.availability.up) return;
    if (nowMs < this.#sweepNotBeforeMs) {
      logger.debug({ until: new Date(this.#sweepNotBeforeMs).toISOString() }, "lease sweep held after a database outage: owners renew first");
      return;
    }
    const now = new Date(nowMs);
    const decide = (attemptNumber: number): AfterAbandoned => {
      const outcome = { errorKind: "abandoned", responseExcerpt: "", durationMs: 0 } as const;
      const after = deliveryAfter(decideAfterAttempt({ attemptNumber, outcome, nowMs, random, policy }));
      // An abandoned attempt got no answer, so it never succeeds: the delivery is due again or failed.
      return { ...after, state: after.state === "pending" ? "pending" : "failed" };
    };
    const operator = this.#deps.operationalCustomerId;
    // `delivery.exhausted` goes into today's partition, which must exist before the transaction.
    if (operator !== undefined) await ensurePartitionsFor(store.db, [now]);
    const { deliveryIds, attemptIds } = await abandonExpiredLeases(store.db, now, decide, this.#deps.running(), (trx, failed) =>
      reportExhaustedDeliveries(trx, operator, failed, now),
    );
    // A sweep that took nothing over is not logged (one every 2 s says nothing); one that did is a warning.
    if (deliveryIds.length > 0) {
      logger.warn(
        { freed: deliveryIds.length, delivery_ids: deliveryIds.slice(0, 20) },
        "expired leases swept (a worker crashed, stalled or lost the database): attempts recorded as abandoned, deliveries due again",
      );
      this.#deps.onFreed(attemptIds);
    }
    if (nowMs < this.#repairNotBeforeMs) return;
    this.#repairNotBeforeMs = nowMs + ORDERED_REPAIR_INTERVAL_MS;
    const repaired = await repairStalledTurns(store.db, now);
    if (repaired > 0) {
      logger.warn({ made_due: repaired }, "stalled ordered subscriptions repaired: their earliest waiting delivery is due");
      this.#deps.onFreed([]);
    }
  }
}
