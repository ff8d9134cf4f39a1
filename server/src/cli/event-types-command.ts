import type { Command } from "commander";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { printJsonDocument } from "./json-output.js";

/** `posthorn event-types`: the server's catalog, one per line; `--json`: one array of the names. */
export function registerEventTypesCommand(program: Command): void {
  const command = program.command("event-types").description("list the event types the server accepts");
  addJsonOption(addAddressOption(command)).action(async (options: { json?: boolean; address: string }) =>
    withClient(options, async (client) => {
      const { eventTypes } = await client.listEventTypes({});
      if (options.json) return printJsonDocument(eventTypes);
      print(eventTypes.join("\n"));
    }),
  );
}
