import type { Command } from "commander";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";

/** `posthorn event-types`: the server's catalog, one per line. */
export function registerEventTypesCommand(program: Command): void {
  const command = program.command("event-types").description("list the event types the server accepts");
  addJsonOption(addAddressOption(command)).action(async (options: { json?: boolean; address: string }) =>
    withClient(options, async (client) => {
      const { eventTypes } = await client.listEventTypes({});
      print(options.json ? JSON.stringify(eventTypes) : eventTypes.join("\n"));
    }),
  );
}
