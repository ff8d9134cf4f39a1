import type { Command } from "commander";
import type { Event } from "@posthorn/sdk";
import { EventSchema } from "@posthorn/proto";
import { messageJson, printJsonDocument } from "./json-output.js";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { formatTable, formatTime } from "./format-table.js";
import { collectPages } from "./paginate.js";
import { parseIntFlag } from "./parse-input.js";

/** `posthorn events`: lists the newest emitted events (`--oldest`: the first ones) in time order. */
export function registerEventsCommand(program: Command): void {
  const command = program
    .command("events")
    .description("list emitted events: the newest, in time order")
    .option("--customer <id>", "only this customer's")
    .option("--type <type>", "only this event type")
    .option("--limit <n>", "at most this many: the newest ones, shown oldest to newest", "100")
    .option("--oldest", "the oldest ones instead of the newest");
  addJsonOption(addAddressOption(command)).action(
    async (options: { oldest?: boolean; customer?: string; type?: string; limit: string; json?: boolean; address: string }) => {
      const limit = parseIntFlag("--limit", options.limit, 1);
      await withClient(options, async (client) => {
        const { items, more } = await collectPages<Event>(limit, async (pageToken, pageSize) => {
          const page = await client.listEvents({ customerId: options.customer ?? "", type: options.type ?? "", pageToken, pageSize, newestFirst: !options.oldest });
          return { items: page.events, nextPageToken: page.nextPageToken };
        });
        // Read newest first (so --limit keeps the newest), shown in time order.
        if (!options.oldest) items.reverse();
        if (options.json) return printJsonDocument(items.map((e) => messageJson(EventSchema, e)));
        if (items.length === 0) return print("No events.");
        print(
          formatTable(
            ["ID", "TYPE", "CUSTOMER", "CREATED (UTC)", "DATA"],
            items.map((e) => [e.id, e.type, e.customerId, formatTime(e.createTime), JSON.stringify(e.data ?? {})]),
          ),
        );
        if (more) print(options.oldest ? `… more; raise --limit to see them.` : `… older ones not shown; raise --limit or use --oldest to see them.`);
      });
    },
  );
}
