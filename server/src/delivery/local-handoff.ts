import type { LocalHandoff } from "../store/delivery-handoff.js";
import type { ClaimedDelivery } from "../store/sql/claim-deliveries.js";
import { endpointOrigin } from "./attempt-slots.js";
import { giveBack, startEach, type ClaimBatchDeps, type NotStarted } from "./claim-batch.js";

/**
 * Opens a handoff of new deliveries to this process's workers for one Emit transaction
 * (store/delivery-handoff.ts), or undefined when they take nothing now (not running, or every
 * slot taken). A delivery is taken only into a free slot: `maxConcurrency` and the per-endpoint
 * limit count the reservations of open handoffs as if their attempts ran, so claims and other
 * emits meanwhile never overfill.
 */
export function openHandoff(deps: ClaimBatchDeps): LocalHandoff | undefined {
  if (!deps.mayStart() || deps.slots.size >= deps.config.maxConcurrency) return undefined;
  return new EmitHandoff(deps);
}

class EmitHandoff implements LocalHandoff {
  readonly #deps: ClaimBatchDeps;
  /** The origin of each reservation, in order. */
  readonly #reserved: string[] = [];
  readonly #added: ClaimedDelivery[] = [];
  readonly #originOf = new Map<string, string>();
  /** When the handoff opened (the clock's ms): the transaction's leases run from about then. */
  readonly #openedAtMs: number;

  constructor(deps: ClaimBatchDeps) {
    this.#deps = deps;
    this.#openedAtMs = deps.clock.nowMs();
  }

  get owner(): string {
    return this.#deps.owner;
  }

  get leaseMs(): number {
    return this.#deps.leaseMs;
  }

  reserve(endpointUrl: string): boolean {
    const { slots, config } = this.#deps;
    if (slots.size >= config.maxConcurrency) return false;
    let origin = this.#originOf.get(endpointUrl);
    if (origin === undefined) this.#originOf.set(endpointUrl, (origin = endpointOrigin(endpointUrl)));
    if (slots.atLimit(origin)) return false;
    slots.reserve(origin);
    this.#reserved.push(origin);
    return true;
  }

  add(delivery: ClaimedDelivery): void {
    this.#added.push(delivery);
  }

  /**
   * Starts the added deliveries; those that cannot start now (the workers began to stop between
   * the reservation and the COMMIT, the transaction took so long that their lease may run out
   * before the request, as claim-batch.ts judges a late claim, or a secret does not open) are
   * given back without an attempt before this resolves, so a stopping process never leaves
   * their leases to run out.
   */
  async committed(): Promise<number> {
    this.abandoned();
    const { clock, leaseMs } = this.#deps;
    const stale = clock.nowMs() >= this.#openedAtMs + (leaseMs * 2) / 3;
    const notStarted: NotStarted = { deferred: [], unsealable: [] };
    if (this.#deps.mayStart() && !stale) startEach(this.#added, this.#deps, notStarted);
    else notStarted.deferred.push(...this.#added);
    const given = notStarted.deferred.length + notStarted.unsealable.length;
    if (this.#deps.logger.isLevelEnabled("debug")) {
      this.#deps.logger.debug({ handed_off: this.#added.length, given_back: given }, "handoff");
    }
    if (given > 0) {
      // The event is stored and its caller must hear so: a failed give-back leaves the leases to
      // run out, after which the sweeper makes those deliveries due again.
      await giveBack(notStarted, this.#deps, stale || !this.#deps.mayStart()).catch((error: unknown) =>
        this.#deps.logger.warn(
          { err: error, delivery_ids: [...notStarted.deferred, ...notStarted.unsealable].map((d) => d.id) },
          "could not give back deliveries handed off at emit; they are attempted after their lease runs out",
        ),
      );
    }
    return this.#added.length - given;
  }

  abandoned(): void {
    for (const origin of this.#reserved) this.#deps.slots.unreserve(origin);
    this.#reserved.length = 0;
  }
}
