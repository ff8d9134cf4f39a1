import type { Command } from "commander";
import { DeleteSubscriptionResponseSchema } from "@posthorn/proto";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, addJsonOption, print, UsageError, withClient, type ConnectionOptions } from "./cli-support.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { subscriptionLines } from "./subscription-details.js";

/**
 * `posthorn subscriptions delete <id> --yes`. Deleting cannot be undone and cancels the
 * subscription's pending deliveries, so the command asks for `--yes` rather than a prompt (it
 * must work the same in scripts and without a terminal): without it, it shows the subscription
 * that would go and exits 2 with nothing changed.
 */
export function registerSubscriptionDeleteCommand(group: Command): void {
  const command = group
    .command("delete")
    .description("delete a subscription and cancel its pending deliveries (past deliveries stay readable); needs --yes")
    .argument("<id>", `subscription id, ${ID_PREFIX.subscription}… (see \`posthorn subscriptions\`)`)
    .option("--yes", "really delete it (without: show what would be deleted, change nothing)");
  addJsonOption(addAddressOption(command)).action(async (id: string, options: { yes?: boolean; json?: boolean } & ConnectionOptions) =>
    withClient(options, async (client) => {
      if (options.yes !== true) {
        // Read it first: an unknown id answers NOT_FOUND here, as it would with --yes.
        const { subscription } = await client.getSubscription({ id });
        for (const line of subscriptionLines(subscription!)) process.stderr.write(`${line}\n`);
        throw new UsageError(`not deleted: add --yes to delete ${id} (this cannot be undone; its pending deliveries are canceled)`);
      }
      const response = await client.deleteSubscription({ id });
      if (options.json) return printJsonDocument({ id, ...(messageJson(DeleteSubscriptionResponseSchema, response) as object) });
      const canceled = response.canceledDeliveries;
      print(`Deleted ${id}; canceled ${canceled} pending deliver${canceled === 1 ? "y" : "ies"}. Its past deliveries stay readable (posthorn deliveries --subscription ${id}).`);
    }),
  );
}
