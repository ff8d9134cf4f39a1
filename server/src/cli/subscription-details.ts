import { EndpointHealth } from "@posthorn/proto";
import type { Subscription } from "@posthorn/sdk";
import { schemeFlagName } from "./enum-names.js";
import { formatTime } from "./format-table.js";

/**
 * How the `subscriptions` commands show one subscription to a person: one `Label  value` line
 * per field, full values (nothing clipped), never a secret (the API never returns them).
 */
export function subscriptionLines(subscription: Subscription): string[] {
  const rows: [string, string][] = [
    ["ID", subscription.id],
    ["Customer", subscription.customerId],
    ["Endpoint", subscription.endpointUrl],
    ["Events", eventsText(subscription)],
    ["Enabled", enabledText(subscription)],
    ["Health", healthText(subscription)],
    ["Delivery", deliveryText(subscription)],
    ["Scheme", schemeFlagName(subscription.signatureScheme)],
    ["Description", subscription.description === "" ? "-" : subscription.description],
    ["Secrets", secretsText(subscription)],
    ["Created", `${formatTime(subscription.createTime)} UTC`],
    ["Updated", `${formatTime(subscription.updateTime)} UTC`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** `all` (an empty filter) or the event types, comma-separated. */
export function eventsText(subscription: Subscription): string {
  return subscription.eventTypes.length > 0 ? subscription.eventTypes.join(",") : "all";
}

/** `yes`, `no`, or `no (<why the server disabled it>)`. */
export function enabledText(subscription: Subscription): string {
  if (subscription.enabled) return "yes";
  return subscription.disabledReason ? `no (${subscription.disabledReason})` : "no";
}

/** The delivery options: `unordered, no rate limit`, or `ordered, at most 10/s (burst 20)`. */
export function deliveryText(subscription: Subscription): string {
  const order = subscription.ordered ? "ordered (one at a time, in emit order)" : "unordered";
  const { rateLimitPerSecond: rate, rateLimitBurst: burst } = subscription;
  const limit = rate === 0 ? "no rate limit" : `at most ${rate}/s (burst ${burst === 0 ? rate : burst})`;
  return `${order}, ${limit}`;
}

/** Names of the endpoint health states, as the README's "Endpoint health" spells them. */
const HEALTH_NAMES: Readonly<Record<EndpointHealth, string>> = {
  [EndpointHealth.UNSPECIFIED]: "unknown",
  [EndpointHealth.HEALTHY]: "healthy",
  [EndpointHealth.DEGRADED]: "degraded",
  [EndpointHealth.FAILING]: "failing",
  [EndpointHealth.DISABLED]: "disabled",
};

/** The endpoint health, with the start of the failing spell when there is one: `failing (every attempt failed since 2026-11-29 12:00:00 UTC)`. */
export function healthText(subscription: Subscription): string {
  const name = HEALTH_NAMES[subscription.health] ?? "unknown";
  const since = subscription.failingSinceTime;
  return since === undefined ? name : `${name} (every attempt failed since ${formatTime(since)} UTC)`;
}

/** How many secrets sign requests now, e.g. `1`, or `3 (previous until 2026-12-04 10:00:00)` with the latest expiry. */
export function secretsText(subscription: Subscription): string {
  const until = subscription.previousSecretExpireTime;
  const count = String(subscription.secrets.length);
  return until === undefined ? count : `${count} (previous until ${formatTime(until)})`;
}
