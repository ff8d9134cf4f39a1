import { DeliveryState, type WatchDeliveriesResponse } from "@posthorn/sdk";
import { attemptOutcome, stateName } from "./delivery-text.js";
import { ellipsize, formatTime } from "./format-table.js";

/** Widest reason or error text in a `watch` line (the whole text: `deliveries get <id>`, `--json`). */
const TEXT_WIDTH = 60;

/**
 * One `watch` line per attempt: `12:00:05  dlv_…  lead.created  cus_a  #2  500  120 ms  → pending,
 * next 12:00:35  https://…  (error…)`. Times are UTC, as in the other commands. The attempt's
 * error is left out when it is the delivery's final reason, already shown after the state (the
 * last attempt of a failed delivery records the reason as its error: delivery/attempt-result.ts).
 */
export function watchLine({ delivery, attempt }: WatchDeliveriesResponse): string {
  const time = formatTime(attempt!.startTime).slice(11);
  const after =
    delivery!.state === DeliveryState.PENDING
      ? `pending, next ${formatTime(delivery!.nextAttemptTime).slice(11)}`
      : stateName(delivery!.state) + (delivery!.finalReason ? `: ${ellipsize(delivery!.finalReason, TEXT_WIDTH)}` : "");
  const shown = attempt!.errorMessage !== "" && attempt!.errorMessage !== delivery!.finalReason;
  const error = shown ? `  (${ellipsize(attempt!.errorMessage, TEXT_WIDTH)})` : "";
  return [
    time,
    delivery!.id,
    delivery!.eventType,
    delivery!.customerId,
    `#${attempt!.attemptNumber}`,
    attemptOutcome(attempt!),
    `${attempt!.durationMs} ms`,
    `→ ${after}`,
    delivery!.endpointUrl,
  ].join("  ") + error;
}
