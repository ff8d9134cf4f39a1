import type { Command } from "commander";
import type { Subscription } from "@posthorn/sdk";
import { SubscriptionSchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { formatTable, formatTime } from "./format-table.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { collectPages } from "./paginate.js";
import { schemeFlagName } from "./enum-names.js";
import { parseIntFlag } from "./parse-input.js";
import { enabledText, eventsText, secretsText } from "./subscription-details.js";
import { registerSubscriptionDeleteCommand } from "./subscription-delete-command.js";
import { registerSubscriptionGetCommand } from "./subscription-get-command.js";
import { registerSubscriptionRotateSecretCommand } from "./subscription-rotate-secret-command.js";
import { registerSubscriptionUpdateCommands } from "./subscription-update-command.js";

/**
 * `posthorn subscriptions [list] | get | update | enable | disable | delete | rotate-secret`.
 * `list` is the default, so `posthorn subscriptions --customer cus_a` lists as it always did.
 */
export function registerSubscriptionsCommand(program: Command): void {
  const group = program.command("subscriptions").description("list subscriptions (the default), or show, change, delete one or rotate its secret");
  registerList(group);
  registerSubscriptionGetCommand(group);
  registerSubscriptionUpdateCommands(group);
  registerSubscriptionDeleteCommand(group);
  registerSubscriptionRotateSecretCommand(group);
}

/** `posthorn subscriptions list` (or bare `subscriptions`): lists subscriptions, oldest first. */
function registerList(group: Command): void {
  const command = group
    .command("list", { isDefault: true })
    .description("list subscriptions, oldest first (secrets are never shown)")
    .option("--customer <id>", "only this customer's")
    .option("--limit <n>", "at most this many", "100");
  addJsonOption(addAddressOption(command)).action(
    async (options: { customer?: string; limit: string; json?: boolean; address: string }) => {
      const limit = parseIntFlag("--limit", options.limit, 1);
      await withClient(options, async (client) => {
        const { items, more } = await collectPages<Subscription>(limit, async (pageToken, pageSize) => {
          const page = await client.listSubscriptions({ customerId: options.customer ?? "", pageToken, pageSize });
          return { items: page.subscriptions, nextPageToken: page.nextPageToken };
        });
        if (options.json) return printJsonDocument(items.map((s) => messageJson(SubscriptionSchema, s)));
        if (items.length === 0) return print("No subscriptions.");
        print(
          formatTable(
            ["ID", "CUSTOMER", "ENABLED", "SCHEME", "EVENTS", "CREATED (UTC)", "SECRETS", "ENDPOINT"],
            items.map((s) => [
              s.id,
              s.customerId,
              enabledText(s),
              schemeFlagName(s.signatureScheme),
              eventsText(s),
              formatTime(s.createTime),
              secretsText(s),
              s.endpointUrl,
            ]),
          ),
        );
        if (more) print(`… more; raise --limit to see them.`);
      });
    },
  );
}
