/**
 * The local queue between claiming and sending, which makes delivery fair and isolates
 * endpoints: customers take turns (round-robin), and no endpoint origin has more than
 * `perOriginLimit` attempts in flight, so one slow or dead endpoint holds at most that many of
 * the process's slots while everyone else's deliveries keep flowing.
 */
export interface QueueItem {
  customer_id: string;
  /** Endpoint origin (`https://host:port`): the unit of the per-endpoint limit. */
  origin: string;
}

export class FairQueue<T extends QueueItem> {
  readonly #perOriginLimit: number;
  /** Waiting items per customer, FIFO; the map's order is the round-robin order. */
  readonly #byCustomer = new Map<string, T[]>();
  readonly #inFlight = new Map<string, number>();
  readonly #queuedByOrigin = new Map<string, number>();
  #size = 0;

  constructor(perOriginLimit: number) {
    this.#perOriginLimit = perOriginLimit;
  }

  /** Items waiting (not in flight). */
  get size(): number {
    return this.#size;
  }

  /** Items of `origin` waiting plus in flight. */
  heldFor(origin: string): number {
    return (this.#queuedByOrigin.get(origin) ?? 0) + (this.#inFlight.get(origin) ?? 0);
  }

  push(item: T): void {
    const queue = this.#byCustomer.get(item.customer_id);
    if (queue) queue.push(item);
    else this.#byCustomer.set(item.customer_id, [item]);
    this.#queuedByOrigin.set(item.origin, (this.#queuedByOrigin.get(item.origin) ?? 0) + 1);
    this.#size++;
  }

  /**
   * The next item to send, marked in flight (call `done` when it finishes): the first sendable
   * item of the next customer in turn; that customer then goes to the back of the line.
   * Undefined when every waiting item's origin is at its limit.
   */
  take(): T | undefined {
    for (const [customerId, queue] of this.#byCustomer) {
      const index = queue.findIndex((item) => (this.#inFlight.get(item.origin) ?? 0) < this.#perOriginLimit);
      if (index === -1) continue;
      const [item] = queue.splice(index, 1) as [T];
      this.#byCustomer.delete(customerId);
      if (queue.length > 0) this.#byCustomer.set(customerId, queue);
      const queued = this.#queuedByOrigin.get(item.origin)! - 1;
      if (queued === 0) this.#queuedByOrigin.delete(item.origin);
      else this.#queuedByOrigin.set(item.origin, queued);
      this.#inFlight.set(item.origin, (this.#inFlight.get(item.origin) ?? 0) + 1);
      this.#size--;
      return item;
    }
    return undefined;
  }

  /** Marks an item taken with `take` as finished. */
  done(item: T): void {
    const left = this.#inFlight.get(item.origin)! - 1;
    if (left === 0) this.#inFlight.delete(item.origin);
    else this.#inFlight.set(item.origin, left);
  }

  /** Removes and returns every waiting item (shutdown). */
  drain(): T[] {
    const items = [...this.#byCustomer.values()].flat();
    this.#byCustomer.clear();
    this.#queuedByOrigin.clear();
    this.#size = 0;
    return items;
  }
}
