import type { Command } from "commander";
import { MAX_RATE_LIMIT } from "../domain/rate-slots.js";
import { parseIntFlag } from "./parse-input.js";

/** The flags of a subscription's delivery options, as commander parses them. */
export interface DeliveryOptionFlags {
  rateLimit?: string;
  rateLimitBurst?: string;
  ordered?: boolean;
}

/**
 * Adds `--rate-limit <n>`, `--rate-limit-burst <n>` and `--ordered` / `--no-ordered` (Subscription
 * `rate_limit_per_second`, `rate_limit_burst`, `ordered`) to `subscribe` and `subscriptions update`.
 */
export function addDeliveryOptions(command: Command): Command {
  return command
    .option("--rate-limit <n>", `most attempts per second to the endpoint, all servers together (0 to ${MAX_RATE_LIMIT}; 0: no limit)`)
    .option("--rate-limit-burst <n>", "attempts allowed at once after an idle spell (default: one second's worth)")
    .option("--ordered", "deliver in emit order, one at a time (a failing event holds up the ones after it)")
    .option("--no-ordered", "deliver without ordering (several at once)");
}

/** The subscription fields the flags given set, with their `update_mask` paths (proto field names). @throws UsageError */
export function deliveryOptionFields(flags: DeliveryOptionFlags): {
  fields: { rateLimitPerSecond?: number; rateLimitBurst?: number; ordered?: boolean };
  paths: string[];
} {
  const fields: { rateLimitPerSecond?: number; rateLimitBurst?: number; ordered?: boolean } = {};
  const paths: string[] = [];
  if (flags.rateLimit !== undefined) {
    fields.rateLimitPerSecond = parseIntFlag("--rate-limit", flags.rateLimit, 0, MAX_RATE_LIMIT);
    paths.push("rate_limit_per_second");
  }
  if (flags.rateLimitBurst !== undefined) {
    fields.rateLimitBurst = parseIntFlag("--rate-limit-burst", flags.rateLimitBurst, 0, MAX_RATE_LIMIT);
    paths.push("rate_limit_burst");
  }
  if (flags.ordered !== undefined) {
    fields.ordered = flags.ordered;
    paths.push("ordered");
  }
  return { fields, paths };
}
