import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, print, withClient } from "./cli-support.js";
import { parseSince } from "./parse-input.js";

/**
 * `posthorn recover`: re-queues a subscription's failed deliveries created since a time, e.g.
 * after the customer fixed an endpoint that was down.
 */
export function registerRecoverCommand(program: Command): void {
  const command = program
    .command("recover")
    .description("re-queue a subscription's failed deliveries created since a time")
    .requiredOption("--subscription <id>", `subscription id, ${ID_PREFIX.subscription}…`)
    .requiredOption("--since <time>", "ISO date/time (2026-11-29T12:00:00Z) or a duration ago (30m, 24h, 7d)");
  addAddressOption(command).action(async (options: { subscription: string; since: string; address: string }) => {
    const since = parseSince(options.since);
    await withClient(options, async (client) => {
      const { recoveredDeliveries } = await client.recoverFailedDeliveries({
        subscriptionId: options.subscription,
        since: timestampFromDate(since),
      });
      print(`Re-queued ${recoveredDeliveries} failed deliver${recoveredDeliveries === 1 ? "y" : "ies"} of ${options.subscription} created since ${since.toISOString()}.`);
    });
  });
}
