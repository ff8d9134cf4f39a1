import type { Command } from "commander";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { WebhookClient } from "@posthorn/sdk";
import { UpdateSubscriptionResponseSchema, type SubscriptionSchema, type UpdateSubscriptionResponse } from "@posthorn/proto";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, addJsonOption, print, UsageError, withClient, type ConnectionOptions } from "./cli-support.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { parseList, parseScheme } from "./parse-input.js";
import { addDeliveryOptions, deliveryOptionFields, type DeliveryOptionFlags } from "./delivery-options.js";
import { subscriptionLines } from "./subscription-details.js";

interface UpdateOptions extends ConnectionOptions, DeliveryOptionFlags {
  url?: string;
  events?: string;
  allEvents?: boolean;
  description?: string;
  scheme?: string;
  json?: boolean;
}

/** The new values of the fields to change. */
type Fields = Omit<MessageInitShape<typeof SubscriptionSchema>, "$typeName">;

const ID_ARGUMENT = `subscription id, ${ID_PREFIX.subscription}… (see \`posthorn subscriptions\`)`;

/**
 * `posthorn subscriptions update <id>` (the fields UpdateSubscription changes: endpoint URL,
 * event types, description, signature scheme; only the flags given are sent, in `update_mask`),
 * and `enable <id>` / `disable <id>` (the `enabled` field; disabling cancels pending deliveries).
 */
export function registerSubscriptionUpdateCommands(group: Command): void {
  const update = group
    .command("update")
    .description("change a subscription's endpoint URL, event types, description, signature scheme, rate limit or ordering")
    .argument("<id>", ID_ARGUMENT)
    .option("--url <url>", "new endpoint URL")
    .option("--events <types>", "receive only these event types, comma-separated (see `posthorn event-types`)")
    .option("--all-events", "receive every event type (clears the filter)")
    .option("--description <text>", "new free text for people (\"\" clears it)")
    .option("--scheme <scheme>", "signature scheme: v1 or standard-webhooks");
  addJsonOption(addAddressOption(addDeliveryOptions(update))).action(async (id: string, options: UpdateOptions) => {
    const { fields, paths } = changesOf(options);
    await withClient(options, async (client) => report("Updated", await change(client, id, fields, paths), options.json));
  });

  for (const enabled of [true, false]) {
    const command = group
      .command(enabled ? "enable" : "disable")
      .description(enabled ? "enable a subscription: new events create deliveries to it again" : "disable a subscription: no new deliveries; its pending ones are canceled")
      .argument("<id>", ID_ARGUMENT);
    addJsonOption(addAddressOption(command)).action(async (id: string, options: { json?: boolean } & ConnectionOptions) =>
      withClient(options, async (client) => report(enabled ? "Enabled" : "Disabled", await change(client, id, { enabled }, ["enabled"]), options.json)),
    );
  }
}

/** The fields and `update_mask` paths (proto field names) for the flags given. */
function changesOf(options: UpdateOptions): { fields: Fields; paths: string[] } {
  const fields: Fields = {};
  const paths: string[] = [];
  if (options.url !== undefined) {
    fields.endpointUrl = options.url;
    paths.push("endpoint_url");
  }
  if (options.events !== undefined && options.allEvents) throw new UsageError("--events and --all-events: give one of them");
  if (options.events !== undefined) {
    const types = parseList(options.events);
    if (types.length === 0) throw new UsageError("--events: expected event types, e.g. --events lead.created,deal.won (--all-events receives every type)");
    fields.eventTypes = types;
    paths.push("event_types");
  }
  if (options.allEvents) {
    fields.eventTypes = [];
    paths.push("event_types");
  }
  if (options.description !== undefined) {
    fields.description = options.description;
    paths.push("description");
  }
  if (options.scheme !== undefined) {
    fields.signatureScheme = parseScheme(options.scheme);
    paths.push("signature_scheme");
  }
  const delivery = deliveryOptionFields(options);
  Object.assign(fields, delivery.fields);
  paths.push(...delivery.paths);
  if (paths.length === 0) {
    throw new UsageError(
      "nothing to change: give --url, --events, --all-events, --description, --scheme, --rate-limit, --rate-limit-burst or --ordered/--no-ordered (enable and disable are their own commands)",
    );
  }
  return { fields, paths };
}

function change(client: WebhookClient, id: string, fields: Fields, paths: string[]): Promise<UpdateSubscriptionResponse> {
  return client.updateSubscription({ subscription: { ...fields, id }, updateMask: { paths } });
}

/** `<done> sub_…` (Updated, Enabled, Disabled), the canceled deliveries, then the subscription; or its JSON. */
function report(done: string, response: UpdateSubscriptionResponse, json: boolean | undefined): void {
  if (json) return printJsonDocument(messageJson(UpdateSubscriptionResponseSchema, response));
  const canceled = response.canceledDeliveries;
  print(`${done} ${response.subscription!.id}${canceled > 0 ? `; canceled ${canceled} pending deliver${canceled === 1 ? "y" : "ies"}` : ""}.`);
  for (const line of subscriptionLines(response.subscription!)) print(line);
}
