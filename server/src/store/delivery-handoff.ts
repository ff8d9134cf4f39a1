import type { ClaimedDelivery } from "./sql/claim-deliveries.js";

/**
 * Deliveries handed to this process's own workers in the transaction that creates them (issue
 * 18): the Emit that has just stored an event knows its deliveries, so instead of committing
 * them as due, announcing them (NOTIFY) and claiming them back (a second durable write), it
 * leases them to the local workers in the same INSERT and starts their attempts right after the
 * COMMIT. One commit per event and one per attempt remain.
 *
 * The lease is the same as a claim's (`claimDeliveries`): owner, `lease_expires_at`, attempt
 * number 1 taken. So a process that dies between the COMMIT and the request leaves a lease that
 * the sweeper records as an `abandoned` attempt, and the delivery is attempted again: nothing is
 * lost, and at-least-once holds as for claimed deliveries.
 *
 * The store side (`emitEvents`) asks `reserve` for each new delivery it may hand off and calls
 * `add` for each one it leased; the caller that opened the handoff (`LocalHandoff`) starts them
 * after the COMMIT, or frees the reservations if the transaction did not commit.
 */
export interface HandoffBatch {
  /** The lease owner id of the workers that take the deliveries. */
  readonly owner: string;
  /** Lease length, ms. */
  readonly leaseMs: number;
  /**
   * Reserves a local attempt slot for a new delivery to `endpointUrl`: true when one is free
   * (within the workers' `maxConcurrency` and the endpoint's per-endpoint limit); the delivery
   * must then be inserted leased to `owner` and passed to `add`. False: insert it due, for a claim.
   */
  reserve(endpointUrl: string): boolean;
  /** A delivery inserted leased to `owner` in this transaction (it uses the last reservation for its endpoint). */
  add(delivery: ClaimedDelivery): void;
}

/** A handoff as the caller of the transaction holds it. */
export interface LocalHandoff extends HandoffBatch {
  /**
   * The transaction committed: starts the attempts of the added deliveries; those that cannot
   * start after all are given back (due again, as `releaseLeases` does) before it resolves.
   * Resolves to how many started.
   */
  committed(): Promise<number>;
  /** The transaction did not commit (or its outcome is unknown): frees every reservation; nothing starts. */
  abandoned(): void;
}
