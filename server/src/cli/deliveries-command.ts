import { toJson } from "@bufbuild/protobuf";
import type { Command } from "commander";
import { AttemptErrorKind, DeliveryState, type Delivery, type DeliveryAttempt } from "@posthorn/sdk";
import { DeliverySchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { formatTable, formatTime } from "./format-table.js";
import { collectPages } from "./paginate.js";
import { parseIntFlag, parseState } from "./parse-input.js";

/**
 * `posthorn deliveries`: lists the newest deliveries (`--oldest`: the first ones) in time order,
 * one row each with the outcome of every
 * attempt (`500 500 200`); `--json` prints them with all attempt details.
 */
export function registerDeliveriesCommand(program: Command): void {
  const command = program
    .command("deliveries")
    .description("list deliveries (one event to one endpoint) with every attempt's outcome")
    .option("--customer <id>", "only this customer's")
    .option("--event <id>", "only this event's")
    .option("--subscription <id>", "only this subscription's")
    .option("--state <state>", "only pending, succeeded, failed or canceled")
    .option("--limit <n>", "at most this many: the newest ones, shown oldest to newest", "100")
    .option("--oldest", "the oldest ones instead of the newest");
  addJsonOption(addAddressOption(command)).action(
    async (options: { oldest?: boolean; customer?: string; event?: string; subscription?: string; state?: string; limit: string; json?: boolean; address: string }) => {
      const limit = parseIntFlag("--limit", options.limit, 1);
      const state = options.state === undefined ? DeliveryState.UNSPECIFIED : parseState(options.state);
      await withClient(options, async (client) => {
        const { items, more } = await collectPages<Delivery>(limit, async (pageToken, pageSize) => {
          const page = await client.listDeliveries({
            customerId: options.customer ?? "",
            eventId: options.event ?? "",
            subscriptionId: options.subscription ?? "",
            state,
            pageToken,
            pageSize,
            newestFirst: !options.oldest,
          });
          return { items: page.deliveries, nextPageToken: page.nextPageToken };
        });
        // Read newest first (so --limit keeps the newest), shown in time order.
        if (!options.oldest) items.reverse();
        if (options.json) return print(JSON.stringify(items.map((d) => toJson(DeliverySchema, d)), null, 2));
        if (items.length === 0) return print("No deliveries.");
        print(
          formatTable(
            ["ID", "EVENT", "TYPE", "CUSTOMER", "STATE", "ATTEMPTS", "NEXT / UPDATED (UTC)", "ENDPOINT"],
            items.map((d) => [
              d.id,
              d.eventId,
              d.eventType,
              d.customerId,
              stateName(d.state) + (d.finalReason ? ` (${d.finalReason})` : ""),
              d.attempts.length > 0 ? d.attempts.map(attemptOutcome).join(" ") : "-",
              d.state === DeliveryState.PENDING ? `next ${formatTime(d.nextAttemptTime)}` : formatTime(d.updateTime),
              d.endpointUrl,
            ]),
            80,
          ),
        );
        if (more) print(options.oldest ? `… more; raise --limit to see them.` : `… older ones not shown; raise --limit or use --oldest to see them.`);
      });
    },
  );
}

/** `succeeded`, `pending`, … */
export function stateName(state: DeliveryState): string {
  return (DeliveryState[state] ?? "unknown").toLowerCase();
}

/** The HTTP status, or the error kind when there was none (`timeout`, `connection_refused`). */
export function attemptOutcome(attempt: DeliveryAttempt): string {
  if (attempt.statusCode !== 0) return String(attempt.statusCode);
  return (AttemptErrorKind[attempt.errorKind] ?? "error").toLowerCase();
}
