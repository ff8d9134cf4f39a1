import type { Clock } from "../domain/clock.js";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import type { LeasedDelivery } from "../store/sql/release-leases.js";
import { renewLeases } from "../store/sql/renew-leases.js";
import { runEvery, runInBackground } from "./background-task.js";

export interface LeaseHeartbeatDeps {
  store: Store;
  /** This process's lease owner id. */
  owner: string;
  /** Lease length, ms; renewed every third of it (at least every 250 ms). */
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  /** Ids of the deliveries this process is attempting right now. */
  running: () => LeasedDelivery[];
}

/**
 * Keeps this process's leases alive: while it attempts deliveries, every `leaseMs / 3` one
 * statement extends their leases, so a lease only has to outlive two heartbeats, not an
 * attempt's deadline. Back from a database outage, it renews at once.
 */
export class LeaseHeartbeat {
  readonly #deps: LeaseHeartbeatDeps;
  #timer: NodeJS.Timeout | undefined;
  #unwatch: (() => void) | undefined;

  constructor(deps: LeaseHeartbeatDeps) {
    this.#deps = deps;
  }

  start(): void {
    const { store, leaseMs, logger } = this.#deps;
    this.#timer = runEvery(Math.max(250, leaseMs / 3), "lease renewal", () => this.renew(), logger);
    this.#unwatch = store.availability.onChange((up) => up && runInBackground("lease renewal", () => this.renew(), logger));
  }

  /** Stops renewing (call after the last attempt finished). */
  stop(): void {
    clearInterval(this.#timer);
    this.#unwatch?.();
  }

  /** Extends every lease this process holds by `leaseMs` from now. */
  async renew(): Promise<void> {
    const { store, owner, leaseMs, clock, running } = this.#deps;
    const deliveries = running();
    if (deliveries.length === 0 || !store.availability.up) return;
    await renewLeases(store.db, owner, deliveries, new Date(clock.nowMs() + leaseMs));
  }
}
