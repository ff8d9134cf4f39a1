import { AttemptErrorKind, DeliveryState, type Delivery, type DeliveryAttempt } from "@posthorn/sdk";
import { formatTime } from "./format-table.js";

/** How the delivery commands name a delivery's state and an attempt's outcome. */

/** `succeeded`, `pending`, … */
export function stateName(state: DeliveryState): string {
  return (DeliveryState[state] ?? "unknown").toLowerCase();
}

/** The HTTP status, or the error kind when there was none (`timeout`, `connection_refused`). */
export function attemptOutcome(attempt: DeliveryAttempt): string {
  if (attempt.statusCode !== 0) return String(attempt.statusCode);
  return (AttemptErrorKind[attempt.errorKind] ?? "error").toLowerCase();
}

/**
 * When a delivery goes next, for the delivery commands: `next <time>` (UTC), or `waiting for its
 * turn` for a pending one without a next attempt time (an ordered subscription's: it goes once
 * the one before it ended), or the last update time of an ended one.
 */
export function deliveryWhen(delivery: Delivery, next = "next"): string {
  if (delivery.state !== DeliveryState.PENDING) return formatTime(delivery.updateTime);
  return delivery.nextAttemptTime === undefined ? "waiting for its turn (ordered)" : `${next} ${formatTime(delivery.nextAttemptTime)}`;
}
