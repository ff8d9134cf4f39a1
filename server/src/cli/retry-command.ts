import type { Command } from "commander";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, print, withClient } from "./cli-support.js";
import { stateName } from "./delivery-text.js";

/** `posthorn retry <delivery-id>`: queues one delivery for an attempt now, whatever its state. */
export function registerRetryCommand(program: Command): void {
  const command = program
    .command("retry")
    .description("queue one delivery for an attempt now, whatever its state")
    .argument("<delivery-id>", `delivery id, ${ID_PREFIX.delivery}… (see \`posthorn deliveries\`)`);
  addAddressOption(command).action(async (id: string, options: { address: string }) =>
    withClient(options, async (client) => {
      const { delivery } = await client.retryDelivery({ id });
      print(`Queued ${delivery!.id} (${delivery!.eventType} → ${delivery!.endpointUrl}): ${stateName(delivery!.state)}, attempt ${delivery!.attemptCount + 1} is due now.`);
    }),
  );
}
