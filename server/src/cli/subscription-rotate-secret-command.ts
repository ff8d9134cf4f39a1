import type { Command } from "commander";
import { RotateSubscriptionSecretResponseSchema } from "@posthorn/proto";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, addJsonOption, print, UsageError, withClient, type ConnectionOptions } from "./cli-support.js";
import { formatTime } from "./format-table.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { parseDuration } from "./parse-input.js";

/** The longest grace period RotateSubscriptionSecret accepts, in seconds (proto: 0 to 604800, 7 days). */
const MAX_GRACE_SECONDS = 604_800;

/**
 * `posthorn subscriptions rotate-secret <id> [--grace-period <duration>]`: issues a new signing
 * secret and prints it once. The previous secret keeps signing (requests carry both
 * signatures) for the grace period: the server's default of 24 h, or `--grace-period`; `0`
 * revokes every older secret at once (after a leak).
 */
export function registerSubscriptionRotateSecretCommand(group: Command): void {
  const command = group
    .command("rotate-secret")
    .description("issue a new signing secret (printed once); the previous one keeps signing for the grace period")
    .argument("<id>", `subscription id, ${ID_PREFIX.subscription}… (see \`posthorn subscriptions\`)`)
    .option("--grace-period <duration>", "how long the previous secret stays valid: 0 (revoke it now, e.g. after a leak) up to 7d, as 3600s, 90m, 12h (default: the server's, 24h)");
  addJsonOption(addAddressOption(command)).action(async (id: string, options: { gracePeriod?: string; json?: boolean } & ConnectionOptions) => {
    const gracePeriodSeconds = options.gracePeriod === undefined ? undefined : parseGracePeriod(options.gracePeriod);
    await withClient(options, async (client) => {
      const response = await client.rotateSubscriptionSecret({ id, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) });
      if (options.json) return printJsonDocument(messageJson(RotateSubscriptionSecretResponseSchema, response));
      const subscription = response.subscription!;
      print(`Rotated the signing secret of ${subscription.id} (${subscription.endpointUrl}).`);
      print(`Secret: ${response.secret}`);
      print("Keep the secret: it is shown only now. Give it to the endpoint's owner; their verifier needs it.");
      const until = subscription.previousSecretExpireTime;
      print(
        until === undefined
          ? "Every previous secret is revoked: requests carry only the new signature from now on."
          : `Requests carry the previous signature too until ${formatTime(until)} UTC; switch the endpoint to the new secret before then.`,
      );
    });
  });
}

/** `0`, or a duration of up to 7 days (`3600s`, `90m`, `12h`, `7d`), in seconds. */
function parseGracePeriod(value: string): number {
  if (value.trim() === "0") return 0;
  let seconds: number | undefined;
  try {
    seconds = parseDuration("--grace-period", value);
  } catch {
    seconds = undefined;
  }
  if (seconds === undefined || seconds > MAX_GRACE_SECONDS) {
    throw new UsageError(`--grace-period: expected 0 or a duration of up to 7d, a whole number and a unit s, m, h or d (3600s, 90m, 12h, 7d), got "${value}"`);
  }
  return seconds;
}
