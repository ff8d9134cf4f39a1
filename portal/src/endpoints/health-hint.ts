import { EndpointHealth, type Subscription } from "@posthorn/proto/schema";
import { formatTime } from "../ui/time.js";

/**
 * What the Endpoints table says about an enabled endpoint's health (proto `EndpointHealth`, the
 * README's "Endpoint health"), or undefined when there is nothing to say: a failing endpoint is
 * named with the start of its failing spell, so its customer can fix it before the server
 * disables it (after POSTHORN_ENDPOINT_DISABLE_AFTER_HOURS, 5 days by default). A disabled one
 * shows the server's reason instead (endpoint-row.tsx).
 */
export function healthHint(subscription: Pick<Subscription, "enabled" | "health" | "failingSinceTime">): string | undefined {
  if (!subscription.enabled) return undefined;
  const since = formatTime(subscription.failingSinceTime);
  if (subscription.health === EndpointHealth.FAILING) return `Failing since ${since}: it will be disabled if it keeps failing`;
  if (subscription.health === EndpointHealth.DEGRADED) return `Every attempt has failed since ${since}`;
  return undefined;
}
