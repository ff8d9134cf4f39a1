import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import { ID_PREFIX } from "../domain/ids.js";
import { RecoverFailedDeliveriesResponseSchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient, type ConnectionOptions } from "./cli-support.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { parseSince } from "./parse-input.js";

/**
 * `posthorn recover`: re-queues a subscription's failed (and canceled-by-disable) deliveries
 * created since a time and creates deliveries for the events it missed while disabled, e.g.
 * after the customer fixed an endpoint that was down and re-enabled it. `--json`: the response,
 * `{"recoveredDeliveries": 3, "skippedPayloadExpiredDeliveries": 0, "createdDeliveries": 2}`
 * (numbers; the second counts deliveries left failed because their event's payload expired).
 */
export function registerRecoverCommand(program: Command): void {
  const command = program
    .command("recover")
    .description("re-queue a subscription's failed deliveries created since a time, and deliver what it missed while disabled")
    .requiredOption("--subscription <id>", `subscription id, ${ID_PREFIX.subscription}…`)
    .requiredOption("--since <time>", "ISO date/time (2026-11-29T12:00:00Z) or a duration ago (30m, 24h, 7d)");
  addJsonOption(addAddressOption(command)).action(async (options: { subscription: string; since: string; json?: boolean } & ConnectionOptions) => {
    const since = parseSince(options.since);
    await withClient(options, async (client) => {
      const response = await client.recoverFailedDeliveries({
        subscriptionId: options.subscription,
        since: timestampFromDate(since),
      });
      if (options.json) return printJsonDocument(messageJson(RecoverFailedDeliveriesResponseSchema, response));
      const { recoveredDeliveries, skippedPayloadExpiredDeliveries: skipped, createdDeliveries: created } = response;
      print(`Re-queued ${recoveredDeliveries} failed or canceled-by-disable deliver${recoveredDeliveries === 1 ? "y" : "ies"} of ${options.subscription} created since ${since.toISOString()}.`);
      if (created > 0) print(`Created ${created} deliver${created === 1 ? "y" : "ies"} for events emitted while it was disabled.`);
      if (skipped > 0) print(`Left ${skipped} failed: their event payloads expired (POSTHORN_PAYLOAD_RETENTION_DAYS).`);
    });
  });
}
