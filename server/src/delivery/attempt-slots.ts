import type { SubscriptionRoom } from "../store/sql/claim-deliveries.js";
import type { LeasedDelivery } from "../store/sql/release-leases.js";

/** One attempt running now. */
export interface InFlight {
  /** The delivery's `created_at` (its partition key). */
  createdAt: Date;
  subscriptionId: string;
  origin: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The endpoint origin of `url`, the unit of the per-endpoint limit; an invalid URL stands for
 * itself (the transport records it as the attempt's error).
 */
export function endpointOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * The attempts this process runs now, by delivery id, with their counts per endpoint origin
 * (the per-endpoint limit) and per subscription (for the claim's exclusion list). Everything this
 * process holds a lease on is in flight: a claim takes only what it can start at once.
 */
export class AttemptSlots {
  readonly #perEndpointLimit: number;
  readonly #inFlight = new Map<string, InFlight>();
  readonly #perOrigin = new Map<string, number>();
  /** Subscriptions with attempts in flight here: their endpoint origin and how many. */
  readonly #bySubscription = new Map<string, { origin: string; running: number }>();
  /** Slots reserved for deliveries being handed off (`reserve`), not yet started. */
  #reserved = 0;

  /** `perEndpointLimit`: attempts in flight at once to one endpoint origin. */
  constructor(perEndpointLimit: number) {
    this.#perEndpointLimit = perEndpointLimit;
  }

  /** Attempts in flight, and slots reserved for attempts about to start. */
  get size(): number {
    return this.#inFlight.size + this.#reserved;
  }

  /** Attempts in flight (reservations left out). */
  get running(): number {
    return this.#inFlight.size;
  }

  /** Ids of the deliveries in flight. */
  deliveryIds(): string[] {
    return [...this.#inFlight.keys()];
  }

  /** The deliveries in flight, with their `created_at` (to find their partitions). */
  deliveries(): LeasedDelivery[] {
    return [...this.#inFlight].map(([id, attempt]) => ({ id, created_at: attempt.createdAt }));
  }

  /** Whether `origin` has as many attempts in flight (plus `starting` about to start) as the per-endpoint limit allows. */
  atLimit(origin: string, starting = 0): boolean {
    return (this.#perOrigin.get(origin) ?? 0) + starting >= this.#perEndpointLimit;
  }

  /**
   * The subscriptions with attempts in flight here, split by their endpoint's room for more:
   * `saturated`, at the per-endpoint limit (a claim leaves them out altogether), and
   * `room.busy`, with room left (how much); `room.each` is everyone else's (the limit).
   */
  claimRoom(): { saturated: string[]; room: SubscriptionRoom } {
    const saturated: string[] = [];
    const busy = new Map<string, number>();
    for (const [id, { origin }] of this.#bySubscription) {
      const room = this.#perEndpointLimit - (this.#perOrigin.get(origin) ?? 0);
      if (room > 0) busy.set(id, room);
      else saturated.push(id);
    }
    return { saturated, room: { each: this.#perEndpointLimit, busy } };
  }

  /** Endpoint origins with as many attempts in flight as the per-endpoint limit allows (for the claim's debug line). */
  saturatedOrigins(): string[] {
    return [...this.#perOrigin.keys()].filter((origin) => this.atLimit(origin));
  }

  /**
   * Reserves a slot at `origin` for an attempt that starts shortly (a delivery handed off in the
   * transaction that creates it, delivery/local-handoff.ts): it counts in `size` and toward the
   * origin's limit until `unreserve` (then usually `occupy`). The caller checks the limits first.
   */
  reserve(origin: string): void {
    this.#reserved++;
    this.#addToOrigin(origin, 1);
  }

  /** Frees a slot `reserve` took at `origin`. */
  unreserve(origin: string): void {
    this.#reserved--;
    this.#addToOrigin(origin, -1);
  }

  /** Counts an attempt as in flight until `vacate(deliveryId)`; `done` settles when it finished. */
  occupy(deliveryId: string, attempt: InFlight): void {
    this.#addToOrigin(attempt.origin, 1);
    const subscription = this.#bySubscription.get(attempt.subscriptionId);
    if (subscription) subscription.running++;
    else this.#bySubscription.set(attempt.subscriptionId, { origin: attempt.origin, running: 1 });
    this.#inFlight.set(deliveryId, attempt);
  }

  /** The attempt of `deliveryId` finished. */
  vacate(deliveryId: string): void {
    const attempt = this.#inFlight.get(deliveryId);
    if (!attempt) return;
    this.#inFlight.delete(deliveryId);
    this.#addToOrigin(attempt.origin, -1);
    const subscription = this.#bySubscription.get(attempt.subscriptionId)!;
    if (--subscription.running === 0) this.#bySubscription.delete(attempt.subscriptionId);
  }

  #addToOrigin(origin: string, change: number): void {
    const count = (this.#perOrigin.get(origin) ?? 0) + change;
    if (count === 0) this.#perOrigin.delete(origin);
    else this.#perOrigin.set(origin, count);
  }

  /** Aborts every attempt in flight (their transports end them as `shutdown`). */
  abortAll(): void {
    this.#inFlight.forEach((attempt) => attempt.abort.abort());
  }

  /** Resolves when every attempt in flight now has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()].map((attempt) => attempt.done));
  }
}
