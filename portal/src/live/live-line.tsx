import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { WatchDeliveriesResponse } from "@posthorn/proto/schema";
import { attemptResult } from "../ui/delivery-words.js";

/** An attempt's start as the reader's local time of day (the live tail spans minutes, not days). */
function timeOfDay(message: WatchDeliveriesResponse): string {
  const start = message.attempt?.startTime;
  return start === undefined ? "—" : timestampDate(start).toLocaleTimeString();
}

/**
 * One attempt as it happened: time, event type, endpoint, attempt number, what it got (`HTTP 200`,
 * `timeout`) and whether it succeeded. The words "succeeded"/"failed" carry the outcome; the color
 * only repeats it.
 */
export function LiveLine({ message }: { message: WatchDeliveriesResponse }) {
  const { delivery, attempt } = message;
  const outcome = attempt?.succeeded ? "succeeded" : attempt?.willRetry ? "failed, will retry" : "failed";
  return (
    <li class={`live-line ${attempt?.succeeded ? "ok" : "bad"}`}>
      {/* The spaces between the parts keep them apart when read out or copied (flex ignores them). */}
      <time>{timeOfDay(message)}</time> <span class="type">{delivery?.eventType}</span> <span class="url">{delivery?.endpointUrl}</span>{" "}
      <span>attempt {attempt?.attemptNumber}</span> <span>{attempt === undefined ? "" : attemptResult(attempt)}</span>{" "}
      <strong class="outcome">{outcome}</strong>
    </li>
  );
}
