import pino from "pino";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createThreadedTransport } from "../../server/src/delivery/threaded-transport.js";
import type { Transport, TransportRequest } from "../../server/src/delivery/transport.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type Receiver } from "./helpers/receivers.js";

// The sending threads run the compiled server (built before the tests: test/helpers/build-server.ts).
const ENTRY = new URL("../../server/dist/delivery/send-thread.js", import.meta.url);
const BODY = Buffer.from('{"api_version":"v1","id":"evt_0123456789abcdef01234567","type":"lead.created"}');
const HEADERS = { "Content-Type": "application/json", "Dealix-Event-Id": "evt_0123456789abcdef01234567" };

function post(url: string, signal?: AbortSignal): TransportRequest {
  return { url, headers: HEADERS, body: BODY, deadlineMs: 5000, ...(signal ? { signal } : {}) };
}

/** The HTTP exchanges on sending threads (POSTHORN_SEND_THREADS): the same outcomes as on the main thread. */
describe("threaded transport", () => {
  let transport: Transport;
  let ok: Receiver;
  let hanging: Receiver;
  const held: ServerResponse[] = [];
  beforeAll(async () => {
    transport = createThreadedTransport({ threads: 2, allowedCidrs: ["127.0.0.1/32"], connectionsPerOrigin: 4, logger: pino({ level: "silent" }), entry: ENTRY });
    ok = await startReceiver((_request, response) => void response.writeHead(201, { "retry-after": "7" }).end("created"));
    hanging = await startReceiver((_request, response) => void held.push(response));
  });
  afterAll(async () => {
    held.forEach((response) => response.destroy());
    await Promise.all([ok.close(), hanging.close()]);
  });

  it("sends the exact body and headers and brings back the outcome", async () => {
    // A view into a larger buffer: only its own bytes are sent.
    const pool = Buffer.concat([Buffer.from("xxxx"), BODY, Buffer.from("yyyy")]);
    const outcome = await transport.send({ ...post(`${ok.origin}/hook`), body: pool.subarray(4, 4 + BODY.length) });
    expect(outcome).toMatchObject({ statusCode: 201, responseExcerpt: "created", retryAfter: "7" });
    expect(outcome.errorKind).toBeUndefined();
    expect(ok.requests.at(-1)!.body.equals(BODY)).toBe(true);
    expect(ok.requests.at(-1)!.headers["dealix-event-id"]).toBe(HEADERS["Dealix-Event-Id"]);
  });

  it("many attempts at once each get their own outcome", async () => {
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => transport.send(post(`${ok.origin}/hook`))));
    expect(outcomes.map((outcome) => outcome.statusCode)).toEqual(Array.from({ length: 40 }, () => 201));
  });

  it("applies the address guard in the thread", async () => {
    const outcome = await transport.send(post("http://10.0.0.1:9/hook"));
    expect(outcome.errorKind).toBe("blocked_address");
  });

  it("an abort (shutdown) ends the attempt in the thread as `shutdown`", async () => {
    const abort = new AbortController();
    const sent = transport.send(post(`${hanging.origin}/hook`, abort.signal));
    await eventually(async () => hanging.requests.length, (count) => count === 1);
    abort.abort();
    expect((await sent).errorKind).toBe("shutdown");
    const already = await transport.send(post(`${hanging.origin}/hook`, abort.signal));
    expect(already.errorKind).toBe("shutdown");
    expect(hanging.requests).toHaveLength(1);
  });

  it("close ends the threads", async () => {
    await transport.close();
  });
});

/** A stand-in sending thread: answers 200 at once, and ends (exit code 3) on a request to a path ending in /die. */
const FRAGILE_THREAD = new URL(
  "data:text/javascript," +
    encodeURIComponent(`
      import { parentPort } from "node:worker_threads";
      parentPort.on("message", (message) => {
        if (message.kind === "close") return parentPort.close();
        if (message.kind !== "send") return;
        if (message.url.endsWith("/die")) process.exit(3);
        parentPort.postMessage({ id: message.id, outcome: { statusCode: 200, durationMs: 1, responseExcerpt: "" } });
      });`),
);

/**
 * A sending thread that ended is started again (a second later when it had run for less than
 * that). An attempt for it meanwhile waits for the new thread: its request was not sent, so it
 * must not be recorded as a failure of the endpoint. `close` ends the waiting as `shutdown`.
 */
describe("threaded transport while a thread starts again", () => {
  it("an attempt made while the thread is down is sent by the new thread", async () => {
    const transport = createThreadedTransport({ threads: 1, allowedCidrs: ["127.0.0.1/32"], connectionsPerOrigin: 4, logger: pino({ level: "silent" }), entry: FRAGILE_THREAD });
    expect((await transport.send(post("http://127.0.0.1:9/ok"))).statusCode).toBe(200);
    // In flight when the thread ends: it may have been sent, so it fails (retried per the schedule).
    expect((await transport.send(post("http://127.0.0.1:9/die"))).errorKind).toBe("other");
    expect(await transport.send(post("http://127.0.0.1:9/ok"))).toMatchObject({ statusCode: 200 });
    await transport.close();
  });

  it("close ends an attempt that waits for the thread as `shutdown`", async () => {
    const transport = createThreadedTransport({ threads: 1, allowedCidrs: ["127.0.0.1/32"], connectionsPerOrigin: 4, logger: pino({ level: "silent" }), entry: FRAGILE_THREAD });
    expect((await transport.send(post("http://127.0.0.1:9/die"))).errorKind).toBe("other");
    const waiting = transport.send(post("http://127.0.0.1:9/ok"));
    await transport.close();
    expect((await waiting).errorKind).toBe("shutdown");
  });
});
