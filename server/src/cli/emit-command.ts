import { create, toBinary, type JsonObject } from "@bufbuild/protobuf";
import { SingleBar, Presets } from "cli-progress";
import type { Command } from "commander";
import { EventView, type WebhookClient } from "@posthorn/sdk";
import { EmitRequestSchema, EmitResponseSchema } from "@posthorn/proto";
import { messageJson, printJsonDocument } from "./json-output.js";
import { addAddressOption, addJsonOption, print, UsageError, withClient } from "./cli-support.js";
import { parseIntFlag, parseJsonObject, readJsonFile } from "./parse-input.js";

interface EmitOptions {
  type?: string;
  customer?: string;
  data?: string;
  file?: string;
  idempotencyKey?: string;
  count?: string;
  json?: boolean;
  address: string;
}

/** One event to emit, from flags over the optional file. */
interface EventInput {
  type: string;
  customerId: string;
  data: JsonObject;
  idempotencyKey: string;
}

/** Events per EmitBatch call in a `--count` run (the API takes up to 500), fewer for large events. */
const BATCH_SIZE = 100;
/**
 * A `--count` batch stays under these, below the server's limits (proto "Sizes": 4 MiB of data
 * as canonical JSON per batch, 8 MiB per request) with room for JSON that canonicalizes longer.
 */
const BATCH_DATA_BYTES = 3.5 * 1024 * 1024;
const BATCH_REQUEST_BYTES = 7 * 1024 * 1024;

/**
 * `posthorn emit`: emits one event from flags (`--type`, `--customer`, `--data`) or a JSON file
 * (`--file`, `{"type", "customer_id", "data", "idempotency_key"}`; flags win), or `--count N`
 * copies of it in batches with a progress bar.
 */
export function registerEmitCommand(program: Command): void {
  const command = program
    .command("emit")
    .description("emit one event (or --count N copies) to a customer's subscriptions")
    .option("--type <type>", "event type, e.g. lead.created (see `posthorn event-types`)")
    .option("--customer <id>", "customer id, e.g. cus_demo")
    .option("--data <json>", "the event's data, a JSON object (default {})")
    .option("--file <path>", 'read the event from a JSON file: {"type", "customer_id", "data", "idempotency_key"}')
    .option("--idempotency-key <key>", "the same key within 24 h returns the original event for the same type and data, and is refused for others (with --count: <key>-<n>)")
    .option("--count <n>", "emit N events (batches of 100, with a progress bar)");
  addJsonOption(addAddressOption(command)).action(async (options: EmitOptions) => {
    const input = eventInput(options);
    const count = options.count === undefined ? undefined : parseIntFlag("--count", options.count, 1, 10_000_000);
    await withClient(options, async (client) => {
      if (count === undefined) return emitOne(client, input, options.json === true);
      return emitMany(client, input, count, options.json === true);
    });
  });
}

function eventInput(options: EmitOptions): EventInput {
  const file = options.file === undefined ? {} : readJsonFile("--file", options.file);
  const fromFile = (snake: string, camel: string) => file[snake] ?? file[camel];
  const type = options.type ?? fromFile("type", "type");
  const customerId = options.customer ?? fromFile("customer_id", "customerId");
  const data = options.data !== undefined ? parseJsonObject("--data", options.data) : (fromFile("data", "data") ?? {});
  const idempotencyKey = options.idempotencyKey ?? fromFile("idempotency_key", "idempotencyKey") ?? "";
  if (typeof type !== "string" || type === "") throw new UsageError("missing the event type: add --type lead.created (see `posthorn event-types`)");
  if (typeof customerId !== "string" || customerId === "") throw new UsageError("missing the customer: add --customer cus_demo");
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new UsageError(`--file: "data" must be a JSON object`);
  if (typeof idempotencyKey !== "string") throw new UsageError(`--file: "idempotency_key" must be a string`);
  return { type, customerId, data: data as JsonObject, idempotencyKey };
}

async function emitOne(client: WebhookClient, input: EventInput, json: boolean): Promise<void> {
  // --json prints the whole event, data and envelope included, as it always did.
  const response = await client.emit({ ...input, view: json ? EventView.FULL : EventView.UNSPECIFIED });
  if (json) return printJsonDocument(messageJson(EmitResponseSchema, response));
  const event = response.event!;
  const matched = response.matchedSubscriptions;
  print(
    `${response.replayed ? "Replayed (idempotency key seen before)" : "Emitted"} ${event.id} (${event.type} for ${event.customerId}) → ` +
      `${matched} subscription${matched === 1 ? "" : "s"} matched`,
  );
}

async function emitMany(client: WebhookClient, input: EventInput, count: number, json: boolean): Promise<void> {
  const bar = new SingleBar({ format: "emitting [{bar}] {value}/{total} events | {eta_formatted} left", stream: process.stderr }, Presets.shades_classic);
  bar.start(count, 0);
  const startMs = Date.now();
  let deliveries = 0;
  let replayed = 0;
  try {
    const perBatch = eventsPerBatch(input);
    for (let done = 0; done < count; ) {
      const size = Math.min(perBatch, count - done);
      const events = Array.from({ length: size }, (_, i) => ({
        ...input,
        idempotencyKey: input.idempotencyKey === "" ? "" : `${input.idempotencyKey}-${done + i + 1}`,
      }));
      const { results } = await client.emitBatch({ events });
      for (const result of results) {
        deliveries += result.matchedSubscriptions;
        if (result.replayed) replayed++;
      }
      done += size;
      bar.update(done);
    }
  } finally {
    bar.stop();
  }
  const seconds = (Date.now() - startMs) / 1000;
  if (json) return printJsonDocument({ events: count, replayed, deliveries, seconds });
  print(
    `Emitted ${count} ${input.type} events for ${input.customerId} in ${seconds.toFixed(1)} s ` +
      `(${Math.round(count / Math.max(seconds, 0.001))}/s) → ${deliveries} deliveries${replayed > 0 ? `, ${replayed} replayed` : ""}`,
  );
}

/** How many copies of `input` one EmitBatch of a `--count` run carries: BATCH_SIZE, or fewer to stay under the size limits. */
function eventsPerBatch(input: EventInput): number {
  const dataBytes = Buffer.byteLength(JSON.stringify(input.data), "utf8");
  // + room for the batch's framing and an idempotency key of up to 255 characters.
  const requestBytes = toBinary(EmitRequestSchema, create(EmitRequestSchema, input)).length + 300;
  return Math.max(1, Math.min(BATCH_SIZE, Math.floor(BATCH_DATA_BYTES / dataBytes), Math.floor(BATCH_REQUEST_BYTES / requestBytes)));
}
