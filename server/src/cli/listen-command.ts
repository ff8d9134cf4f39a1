import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Command } from "commander";
import { PosthornError, SignatureScheme, status, type WebhookClient } from "@posthorn/sdk";
import { createStandardWebhooksVerifier, verifySignature, type VerifyResult } from "@posthorn/verifier";
import { BRAND_PATTERN, BRAND_RULE, DEFAULT_BRAND } from "../domain/brand.js";
import { addAddressOption, fail, openClient, print, UsageError, type ConnectionOptions } from "./cli-support.js";
import { errorText } from "./error-text.js";
import { printJsonLine } from "./json-output.js";
import { parseIntFlag, parseList, parseScheme } from "./parse-input.js";
import { secretShapeProblem } from "./secret-shape.js";

interface ListenOptions extends ConnectionOptions {
  port: string;
  customer?: string;
  events?: string;
  secret?: string;
  brand: string;
  scheme: string;
  failFirst: string;
  tolerance: string;
  publicUrl?: string;
  keep?: boolean;
  json?: boolean;
}

/** What `listen` prints for each request (one line, or one JSON object with `--json`). */
export interface ReceivedLine {
  /** When the request ended, RFC 3339 in UTC (`2026-11-29T12:00:05.123Z`); the text line shows its time of day, UTC as in `watch`. */
  time: string;
  type: string;
  event_id: string;
  /** The `<Brand>-Delivery-Attempt` header as a number (1 for the first attempt); null when absent or not a number. */
  attempt: number | null;
  verified: boolean;
  /** The verifier's failure reason (`signature_mismatch`, …); null when verified. Always present, so every line has the same keys. */
  reason: string | null;
  /** What the receiver answered. */
  status: number;
  /** The envelope's `data`; null when the body is not a JSON envelope with one. */
  data: unknown;
}

/**
 * `posthorn listen`: a local receiver for trying Posthorn out. It listens on 127.0.0.1,
 * subscribes itself through the SDK (or uses `--secret` of an existing subscription), verifies
 * every request with `@posthorn/verifier` exactly as a customer's endpoint should, prints one
 * line per request, and answers 200 when the signature verifies, 400 when it does not, and 500
 * to the first `--fail-first` requests (to watch retries). On Ctrl-C it deletes the subscription
 * it created (unless `--keep`). With `--json` stdout carries only the JSON lines (one per
 * request, for `| jq`); the lines about the subscription and the listener go to stderr, as
 * `watch --json` does.
 */
export function registerListenCommand(program: Command): void {
  const command = program
    .command("listen")
    .description("run a local receiver that subscribes itself, verifies every request and prints it")
    .option("--customer <id>", "subscribe for this customer's events (prints the subscription id and secret)")
    .option("--events <types>", "with --customer: comma-separated event types (default: all)")
    .option("--secret <whsec>", "verify with this secret of an existing subscription instead of subscribing")
    .option("--port <port>", "port on 127.0.0.1 (0 picks a free one)", "0")
    .option("--public-url <url>", "endpoint URL to subscribe with, when the server reaches this receiver by another name")
    .option("--scheme <scheme>", "signature scheme: v1 (<Brand>-Signature, default) or standard-webhooks", "v1")
    .option("--brand <brand>", "brand in the header names (POSTHORN_BRAND of the server)", DEFAULT_BRAND)
    .option("--tolerance <seconds>", "maximum age of a signature", "300")
    .option("--fail-first <n>", "answer 500 to the first N requests (to watch retries)", "0")
    .option("--keep", "keep the subscription on exit (default: delete the one created here)")
    .option("--json", "print one JSON object per request instead of a line");
  addAddressOption(command).action((options: ListenOptions) => listen(options));
}

async function listen(options: ListenOptions): Promise<void> {
  const port = parseIntFlag("--port", options.port, 0, 65535);
  const failFirst = parseIntFlag("--fail-first", options.failFirst, 0);
  const toleranceSeconds = parseIntFlag("--tolerance", options.tolerance, 0);
  const scheme = parseScheme(options.scheme);
  if (!BRAND_PATTERN.test(options.brand)) throw new UsageError(`--brand: ${BRAND_RULE}; got "${options.brand}"`);
  if (options.secret === undefined && options.customer === undefined) {
    throw new UsageError("listen needs --customer <id> (to subscribe itself) or --secret <whsec_…> (of an existing subscription)");
  }

  const brand = options.brand.toLowerCase();
  // What is not a request's line: stdout in text mode, stderr with --json (see above).
  const say = (line: string) => (options.json === true ? process.stderr.write(`${line}\n`) : print(line));
  let secret = options.secret;
  let verify: (body: Buffer, request: IncomingMessage) => VerifyResult = () => ({ ok: false, reason: "malformed_header" });
  const useSecret = (value: string) => {
    if (scheme === SignatureScheme.STANDARD_WEBHOOKS) {
      let verifier;
      try {
        verifier = createStandardWebhooksVerifier({ secrets: [value], toleranceSeconds });
      } catch (error) {
        throw new UsageError(`--secret: not a Standard Webhooks secret (whsec_ + base64): ${(error as Error).message}`);
      }
      verify = (body, request) => verifier.verify({ payload: body, headers: request.headers });
    } else {
      verify = (body, request) => verifySignature({ payload: body, header: request.headers[`${brand}-signature`], secrets: [value], toleranceSeconds });
    }
  };
  if (secret !== undefined) {
    useSecret(secret);
    const problem = secretShapeProblem(secret);
    if (problem !== undefined) {
      process.stderr.write(
        `posthorn: warning: --secret does not look like a Posthorn signing secret (whsec_ + base64 of 32 bytes): ${problem}. ` +
          "Requests signed with the subscription's real secret will fail verification; use the secret `posthorn subscribe` or `posthorn subscriptions rotate-secret` printed.\n",
      );
    }
  }

  let received = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received++;
      const body = Buffer.concat(chunks);
      const result = secret === undefined ? ({ ok: false, reason: "malformed_header" } as const) : verify(body, request);
      const answer = received <= failFirst ? 500 : result.ok ? 200 : 400;
      const text = answer === 500 ? "failing on purpose (--fail-first)" : result.ok ? "ok" : `signature not verified: ${result.reason}`;
      response.writeHead(answer, { "content-type": "text/plain" }).end(`${text}\n`);
      printReceived(receivedLine(request, body, brand, result, answer), received <= failFirst ? `--fail-first ${received}/${failFirst}` : undefined, options.json === true);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new UsageError(`--port ${port}: in use; pick another or use --port 0`) : error),
    );
    server.listen(port, "127.0.0.1", resolve);
  });
  const url = options.publicUrl ?? `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks`;

  let client: WebhookClient | undefined;
  let subscriptionId: string | undefined;
  if (options.secret === undefined) {
    client = openClient(options);
    try {
      const response = await client.subscribe({
        customerId: options.customer!,
        endpointUrl: url,
        eventTypes: parseList(options.events),
        signatureScheme: scheme,
        description: "posthorn listen",
      });
      subscriptionId = response.subscription!.id;
      secret = response.secret;
      useSecret(secret);
      const events = response.subscription!.eventTypes;
      say(`Subscribed ${subscriptionId} for customer ${options.customer} (${events.length > 0 ? events.join(", ") : "all event types"})`);
      say(`Secret: ${secret}`);
    } catch (error) {
      server.close();
      client.close();
      if (error instanceof PosthornError && error.code === status.INVALID_ARGUMENT && /endpoint_url/.test(error.details)) {
        process.stderr.write(
          `posthorn: the server refused ${url}: ${error.details}\n` +
            "A server refuses loopback endpoints unless it is started with POSTHORN_ALLOWED_CIDRS=127.0.0.1/32 (for local development).\n",
        );
        process.exit(1);
      }
      fail(error, options);
    }
  }
  say(`Listening on ${url}, verifying with ${scheme === SignatureScheme.STANDARD_WEBHOOKS ? "Standard Webhooks" : `${options.brand}-Signature (v1)`}. Ctrl-C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close();
    if (client !== undefined && subscriptionId !== undefined && options.keep !== true) {
      try {
        await client.deleteSubscription({ id: subscriptionId }, { deadlineMs: 5000 });
        say(`Deleted subscription ${subscriptionId} (--keep keeps it).`);
      } catch (error) {
        process.stderr.write(`posthorn: could not delete ${subscriptionId}: ${errorText(error)}\n`);
      }
    }
    client?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

function receivedLine(request: IncomingMessage, body: Buffer, brand: string, result: VerifyResult, answer: number): ReceivedLine {
  let envelope: { id?: unknown; type?: unknown; data?: unknown } = {};
  try {
    envelope = JSON.parse(body.toString("utf8")) as typeof envelope;
  } catch {
    // Not JSON: fall back to the headers below.
  }
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(",") : value;
  };
  return {
    time: new Date().toISOString(),
    type: String(envelope.type ?? header(`${brand}-event-type`) ?? "?"),
    event_id: String(envelope.id ?? header(`${brand}-event-id`) ?? header("webhook-id") ?? "?"),
    attempt: attemptNumber(header(`${brand}-delivery-attempt`)),
    verified: result.ok,
    reason: result.ok ? null : result.reason,
    status: answer,
    data: envelope.data ?? null,
  };
}

/** `3` for the header `3`; null without the header or for anything but a whole number. */
function attemptNumber(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : null;
}

function printReceived(line: ReceivedLine, note: string | undefined, json: boolean): void {
  if (json) return printJsonLine(line);
  const verdict = line.verified ? "✓ verified" : `✗ ${line.reason}`;
  const data = line.data === null ? "" : `  ${JSON.stringify(line.data)}`;
  const shown = data.length > 100 ? `${data.slice(0, 99)}…` : data;
  print(`${line.time.slice(11, 19)}  ${line.type}  ${line.event_id}  attempt ${line.attempt ?? "?"}  ${verdict}  → ${line.status}${note ? ` (${note})` : ""}${shown}`);
}
