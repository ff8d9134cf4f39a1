import { toJson } from "@bufbuild/protobuf";
import type { Command } from "commander";
import type { Subscription } from "@posthorn/sdk";
import { SubscriptionSchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { formatTable, formatTime } from "./format-table.js";
import { collectPages } from "./paginate.js";
import { schemeFlagName } from "./enum-names.js";
import { parseIntFlag } from "./parse-input.js";

/** `posthorn subscriptions`: lists subscriptions, oldest first. */
export function registerSubscriptionsCommand(program: Command): void {
  const command = program
    .command("subscriptions")
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
        if (options.json) return print(JSON.stringify(items.map((s) => toJson(SubscriptionSchema, s)), null, 2));
        if (items.length === 0) return print("No subscriptions.");
        print(
          formatTable(
            ["ID", "CUSTOMER", "ENABLED", "SCHEME", "EVENTS", "CREATED (UTC)", "SECRETS", "ENDPOINT"],
            items.map((s) => [
              s.id,
              s.customerId,
              s.enabled ? "yes" : s.disabledReason ? `no (${s.disabledReason})` : "no",
              schemeFlagName(s.signatureScheme),
              s.eventTypes.length > 0 ? s.eventTypes.join(",") : "all",
              formatTime(s.createTime),
              secretsColumn(s),
              s.endpointUrl,
            ]),
          ),
        );
        if (more) print(`… more; raise --limit to see them.`);
      });
    },
  );
}

/** How many secrets sign requests now, e.g. `1`, or `3 (previous until 2026-12-04 10:00:00)` with the latest expiry. */
function secretsColumn(subscription: Subscription): string {
  const until = subscription.previousSecretExpireTime;
  const count = String(subscription.secrets.length);
  return until === undefined ? count : `${count} (previous until ${formatTime(until)})`;
}
