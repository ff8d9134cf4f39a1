import { toJson } from "@bufbuild/protobuf";
import type { Command } from "commander";
import { EventSchema, type Event } from "@posthorn/sdk";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { formatTable, formatTime } from "./format-table.js";
import { collectPages } from "./paginate.js";
import { parseIntFlag } from "./parse-input.js";

/** `posthorn events`: lists emitted events, oldest first. */
export function registerEventsCommand(program: Command): void {
  const command = program
    .command("events")
    .description("list emitted events, oldest first")
    .option("--customer <id>", "only this customer's")
    .option("--type <type>", "only this event type")
    .option("--limit <n>", "at most this many", "100");
  addJsonOption(addAddressOption(command)).action(
    async (options: { customer?: string; type?: string; limit: string; json?: boolean; address: string }) => {
      const limit = parseIntFlag("--limit", options.limit, 1);
      await withClient(options.address, async (client) => {
        const { items, more } = await collectPages<Event>(limit, async (pageToken, pageSize) => {
          const page = await client.listEvents({ customerId: options.customer ?? "", type: options.type ?? "", pageToken, pageSize });
          return { items: page.events, nextPageToken: page.nextPageToken };
        });
        if (options.json) return print(JSON.stringify(items.map((e) => toJson(EventSchema, e)), null, 2));
        if (items.length === 0) return print("No events.");
        print(
          formatTable(
            ["ID", "TYPE", "CUSTOMER", "CREATED (UTC)", "DATA"],
            items.map((e) => [e.id, e.type, e.customerId, formatTime(e.createTime), JSON.stringify(e.data ?? {})]),
          ),
        );
        if (more) print(`… more; raise --limit to see them.`);
      });
    },
  );
}
