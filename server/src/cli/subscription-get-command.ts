import type { Command } from "commander";
import { SubscriptionSchema } from "@posthorn/proto";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, addJsonOption, print, withClient, type ConnectionOptions } from "./cli-support.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { subscriptionLines } from "./subscription-details.js";

/** `posthorn subscriptions get <id>`: one subscription, every field (never its secret). */
export function registerSubscriptionGetCommand(group: Command): void {
  const command = group
    .command("get")
    .description("show one subscription, every field (never its secret)")
    .argument("<id>", `subscription id, ${ID_PREFIX.subscription}… (see \`posthorn subscriptions\`)`);
  addJsonOption(addAddressOption(command)).action(async (id: string, options: { json?: boolean } & ConnectionOptions) =>
    withClient(options, async (client) => {
      const { subscription } = await client.getSubscription({ id });
      if (options.json) return printJsonDocument(messageJson(SubscriptionSchema, subscription!));
      for (const line of subscriptionLines(subscription!)) print(line);
    }),
  );
}
