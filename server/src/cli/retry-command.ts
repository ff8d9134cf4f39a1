import type { Command } from "commander";
import { ID_PREFIX } from "../domain/ids.js";
import { RetryDeliveryResponseSchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient, type ConnectionOptions } from "./cli-support.js";
import { stateName } from "./delivery-text.js";
import { messageJson, printJsonDocument } from "./json-output.js";

/**
 * `posthorn retry <delivery-id>`: queues one delivery for an attempt now, whatever its state.
 * `--json`: the RetryDeliveryResponse (`{"delivery": {…}}`, the delivery now pending and due).
 */
export function registerRetryCommand(program: Command): void {
  const command = program
    .command("retry")
    .description("queue one delivery for an attempt now, whatever its state")
    .argument("<delivery-id>", `delivery id, ${ID_PREFIX.delivery}… (see \`posthorn deliveries\`)`);
  addJsonOption(addAddressOption(command)).action(async (id: string, options: { json?: boolean } & ConnectionOptions) =>
    withClient(options, async (client) => {
      const response = await client.retryDelivery({ id });
      if (options.json) return printJsonDocument(messageJson(RetryDeliveryResponseSchema, response));
      const { delivery } = response;
      print(`Queued ${delivery!.id} (${delivery!.eventType} → ${delivery!.endpointUrl}): ${stateName(delivery!.state)}, attempt ${delivery!.attemptCount + 1} is due now.`);
    }),
  );
}
