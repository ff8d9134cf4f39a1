import type { Command } from "commander";
import { SubscribeResponseSchema } from "@posthorn/proto";
import { messageJson, printJsonDocument } from "./json-output.js";
import { addAddressOption, addJsonOption, print, withClient } from "./cli-support.js";
import { parseList, parseScheme } from "./parse-input.js";
import { addDeliveryOptions, deliveryOptionFields, type DeliveryOptionFlags } from "./delivery-options.js";

/** `posthorn subscribe`: registers an endpoint and prints its id and signing secret. */
export function registerSubscribeCommand(program: Command): void {
  const command = program
    .command("subscribe")
    .description("register a customer's endpoint; prints the subscription id and its signing secret")
    .requiredOption("--customer <id>", "customer id, e.g. cus_demo")
    .requiredOption("--url <url>", "endpoint URL that receives the POST requests")
    .option("--events <types>", "comma-separated event types to receive (default: all)")
    .option("--description <text>", "free text for people")
    .option("--scheme <scheme>", "signature scheme: v1 (Stripe-style, default) or standard-webhooks", "v1")
    .option("--disabled", "create it disabled (no deliveries until enabled)");
  addJsonOption(addAddressOption(addDeliveryOptions(command))).action(
    async (
      options: { customer: string; url: string; events?: string; description?: string; scheme: string; disabled?: boolean; json?: boolean; address: string } & DeliveryOptionFlags,
    ) =>
      withClient(options, async (client) => {
        const response = await client.subscribe({
          ...deliveryOptionFields(options).fields,
          customerId: options.customer,
          endpointUrl: options.url,
          eventTypes: parseList(options.events),
          description: options.description ?? "",
          signatureScheme: parseScheme(options.scheme),
          enabled: options.disabled !== true,
        });
        if (options.json) return printJsonDocument(messageJson(SubscribeResponseSchema, response));
        const subscription = response.subscription!;
        print(`Subscribed ${subscription.id} for customer ${subscription.customerId} → ${subscription.endpointUrl}`);
        print(`Events: ${subscription.eventTypes.length > 0 ? subscription.eventTypes.join(", ") : "all"}${subscription.enabled ? "" : " (disabled)"}`);
        print(`Secret: ${response.secret}`);
        print("Keep the secret: it is shown only now. Your endpoint verifies each request with it.");
      }),
  );
}
