import { AttemptErrorKind, DeliveryState, type DeliveryAttempt } from "@posthorn/sdk";

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
