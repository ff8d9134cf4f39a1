import { useEffect, useState } from "preact/hooks";
import { DeliveryState } from "@posthorn/proto/schema";
import type { Api } from "../api.js";

/** How many of an endpoint's newest deliveries the success rate looks at. */
export const RATE_WINDOW = 50;

/**
 * The endpoint's recent success rate: succeeded / finished (succeeded + failed) among its newest
 * `RATE_WINDOW` deliveries, as "97 % (33 of 34)"; "—" when none has finished. Pending deliveries
 * have no outcome yet and canceled ones were stopped by the customer, not refused by the
 * endpoint, so neither counts. "…" while loading; "unknown" when the call fails.
 */
export function useSuccessRate(api: Api, subscriptionId: string, refresh: number): string {
  const [rate, setRate] = useState("…");
  useEffect(() => {
    let live = true;
    api
      .listDeliveries({ subscriptionId, newestFirst: true, pageSize: RATE_WINDOW })
      .then(({ deliveries }) => {
        const succeeded = deliveries.filter((d) => d.state === DeliveryState.SUCCEEDED).length;
        const finished = succeeded + deliveries.filter((d) => d.state === DeliveryState.FAILED).length;
        if (live) setRate(formatRate(succeeded, finished));
      })
      .catch(() => live && setRate("unknown"));
    return () => {
      live = false;
    };
  }, [api, subscriptionId, refresh]);
  return rate;
}

/** "97 % (33 of 34)", or "—" when `finished` is 0. */
export function formatRate(succeeded: number, finished: number): string {
  if (finished === 0) return "—";
  return `${Math.round((succeeded / finished) * 100)} % (${succeeded} of ${finished})`;
}
