/**
 * Operational events (issue 15): events Posthorn emits itself, through its normal pipeline
 * (stored, fanned out, signed, retried like any other), to the subscriptions of the operator's
 * customer id (`POSTHORN_OPERATIONAL_CUSTOMER_ID`). Like Svix's operational webhooks; the names
 * follow our catalog's `noun.verb` style. Emit refuses these types: only the server sends them.
 *
 * The envelope's `customer_id` is the operator's; `data.customer_id` is the customer the event is
 * about. Times in `data` are unix seconds, like the envelope's `timestamp`. No operational event
 * is emitted about the operator's own subscriptions and deliveries (a failing operator endpoint
 * would otherwise feed itself events about its own failures).
 */
export const OPERATIONAL_EVENT_TYPES = [
  "endpoint.failing",
  "endpoint.disabled",
  "endpoint.recovered",
  "delivery.exhausted",
  "secret.rotated",
] as const;

export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

const OPERATIONAL = new Set<string>(OPERATIONAL_EVENT_TYPES);

/** Whether `type` is one of the types only the server emits. */
export function isOperationalEventType(type: string): type is OperationalEventType {
  return OPERATIONAL.has(type);
}

/** What every endpoint event says about its subscription. */
interface EndpointFields {
  subscription_id: string;
  /** The customer the subscription belongs to. */
  customer_id: string;
  endpoint_url: string;
}

/** `data` of each operational event type. */
export interface OperationalEventData {
  /** Every attempt has failed for the warning period (POSTHORN_ENDPOINT_WARN_AFTER_HOURS). */
  "endpoint.failing": EndpointFields & {
    /** Start of the failing spell (unix s). */
    failing_since: number;
    /** Failed attempts since then. */
    failed_attempts: number;
    /** When the subscription is disabled if no attempt succeeds before (unix s); null: auto-disable is off. */
    disable_at: number | null;
  };
  /** The server disabled the subscription: failing for the whole window, or 410 Gone. */
  "endpoint.disabled": EndpointFields & {
    /** The subscription's `disabled_reason`. */
    reason: string;
    /** Start of the failing spell (unix s); null when one answer (410 Gone) disabled it. */
    failing_since: number | null;
    /** Pending deliveries canceled by the disable. */
    canceled_deliveries: number;
    disabled_at: number;
  };
  /** An attempt succeeded after `endpoint.failing` was sent. */
  "endpoint.recovered": EndpointFields & {
    failing_since: number;
    recovered_at: number;
  };
  /** A delivery failed for good: every attempt of the schedule used, or a final status. */
  "delivery.exhausted": EndpointFields & {
    delivery_id: string;
    event_id: string;
    event_type: string;
    /** Attempts made. */
    attempts: number;
    /** The delivery's final reason. */
    final_reason: string;
  };
  /** A subscription's signing secret was rotated. */
  "secret.rotated": EndpointFields & {
    rotated_at: number;
    /** When the previous secret stops being used (unix s); null: it was revoked at once (grace 0). */
    previous_secret_expires_at: number | null;
  };
}

/** A time as operational event data carries it: whole unix seconds (like the envelope's `timestamp`), from a Date or epoch ms. */
export function unixSeconds(time: Date | number): number {
  return Math.floor((typeof time === "number" ? time : time.getTime()) / 1000);
}

/** One operational event to emit: its type and data. */
export type OperationalEvent = { [T in OperationalEventType]: { type: T; data: OperationalEventData[T] } }[OperationalEventType];

/** What each operational event type means, for the catalog (ListEventTypes `types`). */
export const OPERATIONAL_EVENT_DESCRIPTIONS: Readonly<Record<OperationalEventType, string>> = {
  "endpoint.failing":
    "Every attempt to an endpoint has failed for POSTHORN_ENDPOINT_WARN_AFTER_HOURS; it will be disabled at `disable_at` unless an attempt succeeds first.",
  "endpoint.disabled": "The server disabled a subscription: its endpoint failed for the whole auto-disable window, or answered 410 Gone.",
  "endpoint.recovered": "An attempt to an endpoint succeeded after `endpoint.failing` was sent about it.",
  "delivery.exhausted": "A delivery failed for good: every attempt of the retry schedule failed, or the endpoint gave a final status.",
  "secret.rotated": "A subscription's signing secret was rotated; the previous one is still used until `previous_secret_expires_at`.",
};
