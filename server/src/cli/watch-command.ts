import type { Command } from "commander";
import { PosthornError, status, type DeliveryState, type WatchDeliveriesResponse } from "@posthorn/sdk";
import { WatchDeliveriesResponseSchema } from "@posthorn/proto";
import { ID_PREFIX } from "../domain/ids.js";
import { addAddressOption, addJsonOption, fail, openClient, print, type ConnectionOptions } from "./cli-support.js";
import { watchLine } from "./watch-line.js";
import { messageJson, printJsonLine } from "./json-output.js";
import { parseList, parseState } from "./parse-input.js";

interface WatchOptions extends ConnectionOptions {
  customer?: string;
  subscription?: string;
  eventType?: string;
  state?: string;
  json?: boolean;
}

/** Codes that mean the connection to the server went away mid-stream (not a refusal). */
const DROPPED = new Set<number>([status.UNAVAILABLE, status.INTERNAL, status.CANCELLED, status.UNKNOWN]);

/**
 * `posthorn watch`: a live tail of attempt outcomes through the WatchDeliveries stream, one line
 * each (`--json`: one object per line). The stream filters by customer and subscription on the
 * server; `--event-type` and `--state` (the delivery's state after the attempt: pending means a
 * retry is due) filter here, as WatchDeliveries has no such fields. Exit codes: 0 on Ctrl-C
 * (SIGINT) or SIGTERM; 1 when the server refused the watch, dropped the connection or ended the
 * stream (it does when it shuts down); 2 for bad flags.
 */
export function registerWatchCommand(program: Command): void {
  const command = program
    .command("watch")
    .description("print each delivery attempt's outcome as it happens (Ctrl-C to stop)")
    .option("--customer <id>", "only this customer's deliveries")
    .option("--subscription <id>", `only deliveries to this subscription (${ID_PREFIX.subscription}…)`)
    .option("--event-type <types>", "only these event types, comma-separated")
    .option("--state <states>", "only attempts after which the delivery is in one of these states, comma-separated: pending (a retry is due), succeeded, failed, canceled");
  addJsonOption(addAddressOption(command)).action((options: WatchOptions) => watch(options));
}

async function watch(options: WatchOptions): Promise<void> {
  const types = new Set(parseList(options.eventType));
  const states = new Set<DeliveryState>(parseList(options.state).map(parseState));
  const matches = ({ delivery }: WatchDeliveriesResponse) =>
    (types.size === 0 || types.has(delivery!.eventType)) && (states.size === 0 || states.has(delivery!.state));

  const client = openClient(options);
  const abort = new AbortController();
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    abort.abort();
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  let live = false;
  try {
    const filter = { customerId: options.customer ?? "", subscriptionId: options.subscription ?? "" };
    const stream = client.watchDeliveries(filter, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = stream.next(); // opens the call
    first.catch(() => undefined); // awaited below; a failure of the check that follows wins
    // One round trip on the same connection after the stream was opened: when it answers, the
    // server has admitted the watch. Reading the subscription also turns a mistyped id into
    // NOT_FOUND instead of a watch that never shows anything.
    if (options.subscription !== undefined) await client.getSubscription({ id: options.subscription });
    else await client.listEventTypes({});
    live = true;
    const banner = `Watching delivery attempts at ${options.address}${filtersText(options)}. Ctrl-C to stop.`;
    if (options.json) process.stderr.write(`${banner}\n`);
    else print(banner);
    for (let next = await first; !next.done; next = await stream.next()) {
      if (!matches(next.value)) continue;
      if (options.json) printJsonLine(messageJson(WatchDeliveriesResponseSchema, next.value));
      else print(watchLine(next.value));
    }
  } catch (error) {
    client.close();
    if (interrupted) process.exit(0);
    if (live && error instanceof PosthornError && DROPPED.has(error.code)) {
      process.stderr.write(
        `posthorn: lost the connection to the server at ${options.address} (${error.codeName}: ${error.details}); the watch has ended.\n` +
          "Check that the server is still running, then run the command again.\n",
      );
      process.exit(1);
    }
    fail(error, options);
  }
  client.close();
  if (interrupted) process.exit(0);
  process.stderr.write(`posthorn: the server at ${options.address} ended the watch (it does so when it shuts down); run the command again once it is back.\n`);
  process.exit(1);
}

/** ` (customer cus_a, event types a,b)`, or nothing without filters. */
function filtersText(options: WatchOptions): string {
  const parts = [
    options.customer === undefined ? "" : `customer ${options.customer}`,
    options.subscription === undefined ? "" : `subscription ${options.subscription}`,
    options.eventType === undefined ? "" : `event types ${parseList(options.eventType).join(",")}`,
    options.state === undefined ? "" : `states ${parseList(options.state).join(",")}`,
  ].filter((part) => part !== "");
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}
