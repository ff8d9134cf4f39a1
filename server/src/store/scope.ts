/**
 * Which customer's objects a call may see. A customer's API key sees only its own customer's
 * subscriptions, events and deliveries: for it, another customer's object does not exist, so a
 * lookup by id answers NOT_FOUND at exactly the point (and with exactly the message) a missing id
 * would, and lists hold only its rows. Other keys see every customer (`customerId` undefined).
 */
export interface Scope {
  /** The only customer whose objects exist for this call; undefined means every customer. */
  readonly customerId: string | undefined;
}

/** The scope of admin and emitter keys, and of the server's own work. */
export const ALL_CUSTOMERS: Scope = { customerId: undefined };
