import type { Command } from "commander";
import type { AuditRecord } from "@posthorn/sdk";
import { AuditRecordSchema } from "@posthorn/proto";
import { messageJson, printJsonDocument } from "./json-output.js";
import { addAddressOption, addJsonOption, print, withClient, type ConnectionOptions } from "./cli-support.js";
import { formatTable, formatTime } from "./format-table.js";
import { collectPages } from "./paginate.js";
import { parseIntFlag } from "./parse-input.js";
import { roleName } from "./enum-names.js";

/**
 * `posthorn audit`: the audit log, newest first: one record per call that changed state
 * (subscriptions, secrets, API keys, retries, recoveries), with the key that made it. Admin
 * keys only.
 */
export function registerAuditCommand(program: Command): void {
  const command = program
    .command("audit")
    .description("list the audit log, newest first: who changed what (admin key needed)")
    .option("--customer <id>", "only changes to this customer's objects")
    .option("--limit <n>", "at most this many", "100");
  addJsonOption(addAddressOption(command)).action(
    async (options: { customer?: string; limit: string; json?: boolean } & ConnectionOptions) => {
      const limit = parseIntFlag("--limit", options.limit, 1);
      await withClient(options, async (client) => {
        const { items, more } = await collectPages<AuditRecord>(limit, async (pageToken, pageSize) => {
          const page = await client.listAuditRecords({ customerId: options.customer ?? "", pageToken, pageSize });
          return { items: page.records, nextPageToken: page.nextPageToken };
        });
        if (options.json) return printJsonDocument(items.map((r) => messageJson(AuditRecordSchema, r)));
        if (items.length === 0) return print("No audit records.");
        print(
          formatTable(
            ["TIME (UTC)", "METHOD", "KEY", "KEY NAME", "ROLE", "CUSTOMER", "TARGETS"],
            items.map((r) => [
              formatTime(r.createTime),
              r.method,
              r.keyId,
              r.keyName,
              roleName(r.role),
              r.customerId === "" ? "-" : r.customerId,
              r.targetIds.join(","),
            ]),
          ),
        );
        if (more) print(`… more; raise --limit to see them.`);
      });
    },
  );
}
