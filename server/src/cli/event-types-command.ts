import type { Command } from "commander";
import { ListEventTypesResponseSchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { formatTable } from "./format-table.js";
import { messageJson, printJsonDocument } from "./json-output.js";

/** Longest description shown in the table, in characters; `--json` has them whole. */
const DESCRIPTION_CHARS = 100;

/**
 * `posthorn event-types`: the server's catalog as a table (type, description), then the
 * operational event types under their own heading; `--json`: the ListEventTypes response in
 * the proto3 JSON mapping (`eventTypes`, and `types` with each schema and example).
 */
export function registerEventTypesCommand(program: Command): void {
  const command = program
    .command("event-types")
    .description("list the event types the server accepts, with their descriptions (--json: with their schemas and examples)");
  addJsonOption(addAddressOption(command)).action(async (options: { json?: boolean; address: string }) =>
    withClient(options, async (client) => {
      const response = await client.listEventTypes({});
      if (options.json) return printJsonDocument(messageJson(ListEventTypesResponseSchema, response));
      const rows = (operational: boolean) => response.types.filter((t) => t.operational === operational).map((t) => [t.name, t.description]);
      print(formatTable(["TYPE", "DESCRIPTION"], rows(false), DESCRIPTION_CHARS));
      const operational = rows(true);
      if (operational.length === 0) return;
      print("");
      print("Operational event types (Posthorn emits them itself to the operator's subscriptions; Emit refuses them):");
      print(formatTable(["TYPE", "DESCRIPTION"], operational, DESCRIPTION_CHARS));
    }),
  );
}
