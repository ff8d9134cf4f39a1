/**
 * Webhook receivers for the benchmark, run as their own process (`fork` with IPC): N HTTP
 * endpoints on 127.0.0.1, each on its own port (port 0). A "fast" endpoint answers 200 at
 * once; a "hanging" endpoint reads the request and never answers (the server's attempt
 * deadline ends it).
 *
 * Per endpoint it keeps the set of event ids received (receipts are counted once per event, so
 * an at-least-once duplicate shows as `duplicates`), the time of the last receipt and, while a
 * recording window is open, emit→receipt latencies in ms: receipt time minus `data.sent_at_ms`
 * (the load generator's wall clock at the Emit call; both processes read the same clock).
 * With secrets given, every request's `<brand>-Signature` is checked with @posthorn/verifier.
 *
 * IPC protocol: see {@link ReceiverCommand} / {@link ReceiverReply}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createSignatureVerifier, type SignatureVerifier } from "../sdk/verifier/src/index.js";

export type ReceiverCommand =
  | { type: "start"; endpoints: number; hang: number[]; brand: string }
  | { type: "secrets"; secrets: string[] }
  | { type: "record"; on: boolean }
  /** From now on these endpoints read each request and never answer (W3 hangs one after the warm-up). */
  | { type: "hang"; endpoints: number[] }
  | { type: "snapshot"; id: number; latencies: boolean }
  | { type: "exit" };

export interface ReceiverSnapshot {
  type: "snapshot";
  id: number;
  /** Unique (event id) receipts per endpoint since start. */
  counts: number[];
  /** Requests per endpoint that repeated an event id already received. */
  duplicates: number;
  /** Requests whose signature did not verify (only when secrets were given). */
  verifyFailures: number;
  /** Wall-clock ms of the last receipt at any endpoint. */
  lastReceiptMs: number;
  /** Requests a hanging endpoint is holding open right now. */
  hanging: number;
  /** Latencies (ms) per endpoint recorded in the current window, when asked for. */
  latencies?: number[][];
}

export type ReceiverReply = { type: "ready"; ports: number[] } | { type: "ack" } | ReceiverSnapshot;

const nowMs = () => performance.timeOrigin + performance.now();

interface Endpoint {
  server: Server;
  hang: boolean;
  seen: Set<string>;
  latencies: number[];
}

const endpoints: Endpoint[] = [];
let verifiers: SignatureVerifier[] | undefined;
let signatureHeader = "dealix-signature";
let recording = false;
let duplicates = 0;
let verifyFailures = 0;
let lastReceiptMs = 0;
let hanging = 0;

function send(reply: ReceiverReply): void {
  process.send?.(reply);
}

function handler(index: number) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const endpoint = endpoints[index]!;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = nowMs();
      if (endpoint.hang) {
        hanging++;
        res.on("close", () => hanging--);
        return; // never answer
      }
      res.writeHead(200, { "content-length": "0" });
      res.end();
      const body = Buffer.concat(chunks);
      if (verifiers) {
        const header = req.headers[signatureHeader];
        const result = verifiers[index]!.verify({ payload: body, header: typeof header === "string" ? header : "" });
        if (!result.ok) verifyFailures++;
      }
      const envelope = JSON.parse(body.toString("utf8")) as { id: string; data: { sent_at_ms?: number } };
      if (endpoint.seen.has(envelope.id)) {
        duplicates++;
        return;
      }
      endpoint.seen.add(envelope.id);
      lastReceiptMs = at;
      if (recording && typeof envelope.data.sent_at_ms === "number") endpoint.latencies.push(at - envelope.data.sent_at_ms);
    });
  };
}

async function start(count: number, hang: number[], brand: string): Promise<number[]> {
  signatureHeader = `${brand.toLowerCase()}-signature`;
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, handler(i));
    endpoints.push({ server, hang: hang.includes(i), seen: new Set(), latencies: [] });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    ports.push((server.address() as AddressInfo).port);
  }
  return ports;
}

process.on("message", (message: ReceiverCommand) => {
  switch (message.type) {
    case "start":
      void start(message.endpoints, message.hang, message.brand).then((ports) => send({ type: "ready", ports }));
      break;
    case "secrets":
      verifiers = message.secrets.map((secret) => createSignatureVerifier({ secrets: [secret] }));
      send({ type: "ack" });
      break;
    case "hang":
      for (const index of message.endpoints) endpoints[index]!.hang = true;
      send({ type: "ack" });
      break;
    case "record":
      recording = message.on;
      if (message.on) for (const endpoint of endpoints) endpoint.latencies = [];
      send({ type: "ack" });
      break;
    case "snapshot":
      send({
        type: "snapshot",
        id: message.id,
        counts: endpoints.map((endpoint) => endpoint.seen.size),
        duplicates,
        verifyFailures,
        lastReceiptMs,
        hanging,
        ...(message.latencies ? { latencies: endpoints.map((endpoint) => endpoint.latencies) } : {}),
      });
      break;
    case "exit":
      for (const endpoint of endpoints) endpoint.server.closeAllConnections();
      process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
