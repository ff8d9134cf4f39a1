import type { Command } from "commander";
import { DeliveryState, type Delivery, type DeliveryAttempt } from "@posthorn/sdk";
import { DeliverySchema } from "@posthorn/proto";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, addJsonOption, print, withClient, type ConnectionOptions } from "./cli-support.js";
import { attemptOutcome, deliveryWhen, stateName } from "./delivery-text.js";
import { formatTime } from "./format-table.js";
import { messageJson, printJsonDocument } from "./json-output.js";

/**
 * `posthorn deliveries get <id>`: one delivery and every attempt the API returns (the latest
 * 100), each with its full error text, response excerpt and signature: what the list clips.
 */
export function registerDeliveryGetCommand(group: Command): void {
  const command = group
    .command("get")
    .description("show one delivery with all its attempts (full errors and response excerpts)")
    .argument("<delivery-id>", `delivery id, ${ID_PREFIX.delivery}… (see \`posthorn deliveries\`)`);
  addJsonOption(addAddressOption(command)).action(async (id: string, options: { json?: boolean } & ConnectionOptions) =>
    withClient(options, async (client) => {
      const { delivery } = await client.getDelivery({ id });
      if (options.json) return printJsonDocument(messageJson(DeliverySchema, delivery!));
      for (const line of deliveryLines(delivery!)) print(line);
    }),
  );
}

/** The delivery's fields, then one block per attempt, oldest first. */
export function deliveryLines(delivery: Delivery): string[] {
  const when =
    delivery.state !== DeliveryState.PENDING ? `updated ${deliveryWhen(delivery)} UTC` : delivery.nextAttemptTime === undefined ? deliveryWhen(delivery) : `${deliveryWhen(delivery, "next attempt")} UTC`;
  const lines = [
    `Delivery      ${delivery.id}`,
    `State         ${stateName(delivery.state)}${delivery.finalReason ? `: ${delivery.finalReason}` : ""} (${when})`,
    `Event         ${delivery.eventId} (${delivery.eventType}) for ${delivery.customerId}`,
    `Subscription  ${delivery.subscriptionId} → ${delivery.endpointUrl}`,
    `Created       ${formatTime(delivery.createTime)} UTC`,
    `Attempts      ${delivery.attemptCount}${delivery.attempts.length < delivery.attemptCount ? ` (the latest ${delivery.attempts.length} below)` : ""}`,
  ];
  for (const attempt of delivery.attempts) lines.push("", ...attemptLines(attempt));
  return lines;
}

/** `#2  2026-11-29 12:00:30 UTC  500  120 ms  will retry` and the attempt's texts, indented. */
function attemptLines(attempt: DeliveryAttempt): string[] {
  const next = attempt.succeeded ? "succeeded" : attempt.willRetry ? "will retry" : "final";
  const lines = [`#${attempt.attemptNumber}  ${formatTime(attempt.startTime)} UTC  ${attemptOutcome(attempt)}  ${attempt.durationMs} ms  ${next}  (${attempt.id})`];
  if (attempt.errorMessage !== "") lines.push(`    error:     ${attempt.errorMessage}`);
  // A body ending in a line break (most do) would otherwise add a blank indented line.
  const excerpt = attempt.responseExcerpt.replace(/\r?\n$/, "");
  if (excerpt !== "") lines.push(`    response:  ${excerpt.replace(/\n/g, "\n               ")}`);
  if (attempt.signature !== "") lines.push(`    signature: ${attempt.signature}`);
  return lines;
}
