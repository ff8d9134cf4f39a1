import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import { DeliveryState, type Delivery } from "@posthorn/sdk";
import { DeliverySchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { registerDeliveryGetCommand } from "./delivery-get-command.js";
import { attemptOutcome, deliveryWhen, stateName } from "./delivery-text.js";
import { ellipsize, formatTable } from "./format-table.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { collectPages } from "./paginate.js";
import { parseIntFlag, parseSince, parseState } from "./parse-input.js";

interface ListOptions {
  oldest?: boolean;
  customer?: string;
  event?: string;
  subscription?: string;
  state?: string;
  eventType?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
  address: string;
}

/** Widest STATE cell: the state and the start of its final reason (full text: `deliveries get`, `--json`). */
const STATE_WIDTH = 32;
/** Attempt outcomes shown in the ATTEMPTS column: the latest ones, after the total. */
const OUTCOMES_SHOWN = 5;
/** Widest cell of any other column (the endpoint URL, in practice). */
const CELL_WIDTH = 60;

/**
 * `posthorn deliveries [list] | get <id>`. The list (the default, so `posthorn deliveries
 * --customer cus_a` works as it always did) shows the newest deliveries (`--oldest`: the first
 * ones) in time order, one compact row each with the outcome of the latest attempts
 * (`500 500 200`); `--json` prints them with all attempt details.
 */
export function registerDeliveriesCommand(program: Command): void {
  const group = program.command("deliveries").description("list deliveries (the default), or show one with all its attempts");
  const command = group
    .command("list", { isDefault: true })
    .description("list deliveries (one event to one endpoint) with their latest attempts' outcomes")
    .option("--customer <id>", "only this customer's")
    .option("--event <id>", "only this event's")
    .option("--subscription <id>", "only this subscription's")
    .option("--state <state>", "only pending, succeeded, failed or canceled")
    .option("--event-type <type>", "only deliveries of events of this type")
    .option("--since <time>", "only those created at or after: ISO date/time (2026-11-29T12:00:00Z) or a duration ago (30m, 24h, 7d)")
    .option("--until <time>", "only those created before: ISO date/time or a duration ago")
    .option("--limit <n>", "at most this many: the newest ones, shown oldest to newest", "100")
    .option("--oldest", "the oldest ones instead of the newest");
  addJsonOption(addAddressOption(command)).action(
    async (options: ListOptions) => {
      const limit = parseIntFlag("--limit", options.limit, 1);
      const state = options.state === undefined ? DeliveryState.UNSPECIFIED : parseState(options.state);
      // One "now" for both flags, so `--since 2h --until 1h` is exactly an hour.
      const now = Date.now();
      const createdAfter = options.since === undefined ? undefined : timestampFromDate(parseSince(options.since, now, "--since"));
      const createdBefore = options.until === undefined ? undefined : timestampFromDate(parseSince(options.until, now, "--until"));
      await withClient(options, async (client) => {
        const { items, more } = await collectPages<Delivery>(limit, async (pageToken, pageSize) => {
          const page = await client.listDeliveries({
            customerId: options.customer ?? "",
            eventId: options.event ?? "",
            subscriptionId: options.subscription ?? "",
            state,
            eventType: options.eventType ?? "",
            createdAfter,
            createdBefore,
            pageToken,
            pageSize,
            newestFirst: !options.oldest,
          });
          return { items: page.deliveries, nextPageToken: page.nextPageToken };
        });
        // Read newest first (so --limit keeps the newest), shown in time order.
        if (!options.oldest) items.reverse();
        if (options.json) return printJsonDocument(items.map((d) => messageJson(DeliverySchema, d)));
        if (items.length === 0) return print("No deliveries.");
        print(
          formatTable(
            ["ID", "EVENT", "TYPE", "CUSTOMER", "STATE", "ATTEMPTS", "NEXT / UPDATED (UTC)", "ENDPOINT"],
            items.map((d) => [
              d.id,
              d.eventId,
              d.eventType,
              d.customerId,
              ellipsize(stateName(d.state) + (d.finalReason ? ` (${d.finalReason})` : ""), STATE_WIDTH),
              attemptsCell(d),
              deliveryWhen(d),
              d.endpointUrl,
            ]),
            CELL_WIDTH,
          ),
        );
        if (more) print(options.oldest ? `… more; raise --limit to see them.` : `… older ones not shown; raise --limit or use --oldest to see them.`);
        // A hint for people, on stderr: stdout stays the table, for `| grep`, `| awk` and the like.
        if (items.some((d) => d.finalReason !== "")) process.stderr.write("Full reasons and attempt details: posthorn deliveries get <id> (or --json).\n");
      });
    },
  );
  registerDeliveryGetCommand(group);
}

/** `-`, `500 500 200`, or with more than OUTCOMES_SHOWN attempts `12: … 500 500 500 500 200`. */
function attemptsCell(delivery: Delivery): string {
  if (delivery.attempts.length === 0) return "-";
  const outcomes = delivery.attempts.slice(-OUTCOMES_SHOWN).map(attemptOutcome).join(" ");
  return delivery.attemptCount > OUTCOMES_SHOWN ? `${delivery.attemptCount}: … ${outcomes}` : outcomes;
}
