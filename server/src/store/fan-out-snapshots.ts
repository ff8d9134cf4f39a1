import type { FanOutSubscription } from "./sql/lock-subscriptions-for-fan-out.js";

/** Most customers whose subscriptions are kept; past it, the one remembered longest ago is forgotten. */
export const MAX_SNAPSHOT_CUSTOMERS = 10_000;

/**
 * What this process last saw of each customer's live, enabled subscriptions: the rows an Emit's
 * full path read and locked (`lockSubscriptionsForFanOut`), with the digest of what fan-out
 * reads of each (`version`). The Emit
 * in one statement (store/sql/emit-in-one-statement.ts) fans out from them without reading
 * first, and its statement checks in the database that they are still exactly the live ones
 * (same ids, same digests); when they are not, it writes nothing and the Emit takes the full
 * path, which remembers the customer's subscriptions again.
 *
 * So a snapshot is never trusted, only checked: a subscription created, changed (in what
 * fan-out reads), disabled or deleted by any process since (another server on the same
 * PostgreSQL included) makes the next check fail, once. Nothing here needs telling when
 * subscriptions change.
 */
export class FanOutSnapshots {
  /** Customer id → its subscriptions (oldest first, by `seq`), in the order they were remembered. */
  readonly #byCustomer = new Map<string, readonly FanOutSubscription[]>();

  constructor(private readonly maxCustomers = MAX_SNAPSHOT_CUSTOMERS) {}

  /** Remembers `subscriptions` as all the live subscriptions of `customerIds` (none for a customer absent from them). */
  remember(customerIds: readonly string[], subscriptions: readonly FanOutSubscription[]): void {
    for (const customerId of customerIds) {
      this.#byCustomer.delete(customerId);
      this.#byCustomer.set(
        customerId,
        subscriptions.filter((subscription) => subscription.customer_id === customerId),
      );
    }
    for (const oldest of this.#byCustomer.keys()) {
      if (this.#byCustomer.size <= this.maxCustomers) break;
      this.#byCustomer.delete(oldest);
    }
  }

  /** The subscriptions of `customerIds`, customer by customer; undefined when one of them is not remembered. */
  recall(customerIds: readonly string[]): FanOutSubscription[] | undefined {
    const subscriptions: FanOutSubscription[] = [];
    for (const customerId of customerIds) {
      const known = this.#byCustomer.get(customerId);
      if (known === undefined) return undefined;
      subscriptions.push(...known);
    }
    return subscriptions;
  }

  /** Forgets `customerIds` (their snapshot failed its check). */
  forget(customerIds: readonly string[]): void {
    for (const customerId of customerIds) this.#byCustomer.delete(customerId);
  }
}

const perStore = new WeakMap<object, FanOutSnapshots>();

/** The snapshots of the store that `owner` (the store's `db`) stands for, made on first use. */
export function fanOutSnapshotsOf(owner: object): FanOutSnapshots {
  let snapshots = perStore.get(owner);
  if (!snapshots) perStore.set(owner, (snapshots = new FanOutSnapshots()));
  return snapshots;
}
