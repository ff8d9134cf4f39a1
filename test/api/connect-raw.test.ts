import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectClient } from "../helpers/connect-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { MAX_REQUEST_BYTES } from "../../server/src/api/size-limits.js";

/** A Connect JSON call as `curl` sends it: POST, `content-type: application/json`, the bearer key. */
async function curl(address: string, method: string, body: unknown, key: string | null = TEST_ADMIN_KEY) {
  const response = await fetch(`http://${address}/posthorn.v1.WebhookService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get("content-type"), body: (await response.json()) as Record<string, unknown> };
}

/** Sends `text` as is on a new TCP connection to `address` and returns all it gets back. */
function rawExchange(address: string, text: string): Promise<string> {
  const at = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(address.slice(at + 1)), address.slice(0, at), () => socket.end(text));
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

describe("the API as curl calls it (Connect JSON over HTTP/1.1)", () => {
  let t: TestApp;
  let address: string;
  beforeAll(async () => {
    t = await startTestApp("pglite");
    address = t.app.httpAddress!;
  });
  afterAll(async () => {
    await t.close();
  });

  it("emits an event and lists its deliveries with plain JSON", async () => {
    await curl(address, "Subscribe", { customerId: "cus_curl", endpointUrl: "https://example.com/hook" });
    const emitted = await curl(address, "Emit", { type: "reply.received", customer_id: "cus_curl", data: { lead: 42 } });
    expect([emitted.status, emitted.type]).toEqual([200, "application/json"]);
    const event = emitted.body.event as { id: string; customerId: string };
    expect(event).toMatchObject({ id: expect.stringMatching(/^evt_/), customerId: "cus_curl" });
    const listed = await curl(address, "ListDeliveries", { customerId: "cus_curl" });
    expect(listed.status).toBe(200);
    expect((listed.body.deliveries as { eventId: string; state: string }[]).map((d) => [d.eventId, d.state])).toEqual([
      [event.id, "DELIVERY_STATE_PENDING"],
    ]);
  });

  it("answers an error with a Connect JSON error body whose message names the field", async () => {
    const missing = await curl(address, "Emit", { type: "reply.received", data: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ code: "invalid_argument", message: "customer_id: is required" });
    // A misspelt field is refused by name rather than ignored.
    const misspelt = await curl(address, "Emit", { type: "reply.received", customerId: "cus_curl", dta: {} });
    expect([misspelt.status, misspelt.body.code]).toEqual([400, "invalid_argument"]);
    expect(misspelt.body.message).toContain("dta");
    const keyless = await curl(address, "ListEventTypes", {}, null);
    expect([keyless.status, keyless.body.code]).toEqual([401, "unauthenticated"]);
  });

  it("says what to fix when a request cannot be an API call: not POST, or not a JSON/proto content type", async () => {
    const url = `http://${address}/posthorn.v1.WebhookService/ListEventTypes`;
    const get = await fetch(url, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect([get.status, get.headers.get("allow"), await get.text()]).toEqual([
      405,
      "POST",
      "/posthorn.v1.WebhookService/ListEventTypes takes POST (Connect: a JSON body with content-type: application/json)\n",
    ]);
    // What `curl -d '{}'` sends without -H content-type.
    const form = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/x-www-form-urlencoded" }, body: "{}" });
    expect([form.status, await form.text()]).toEqual([
      415,
      'content-type "application/x-www-form-urlencoded": send application/json (Connect JSON) or application/proto; gRPC-Web and gRPC clients set theirs\n',
    ]);
    // A charset parameter is fine.
    const json = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json; charset=utf-8" }, body: "{}" });
    expect(json.status).toBe(200);
  });

  it("answers 400 to an API request without a usable Host (HTTP/1.0, or a Host with a space), and keeps serving", async () => {
    for (const head of ["POST /posthorn.v1.WebhookService/ListEventTypes HTTP/1.0", "POST /posthorn.v1.WebhookService/ListEventTypes HTTP/1.1\r\nHost: a b"]) {
      const answer = await rawExchange(address, `${head}\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`);
      expect(answer.split("\r\n")[0], head).toMatch(/^HTTP\/1\.[01] 400 /);
    }
    const after = await curl(address, "ListEventTypes", {});
    expect(after.status).toBe(200);
  });

  it("refuses a __proto__ key in data as over gRPC, after the key check", async () => {
    const body = '{"type":"reply.received","customerId":"cus_curl","data":{"a":{"__proto__":{"x":1}}}}';
    const refused = await curl(address, "Emit", body);
    expect([refused.status, refused.body]).toEqual([
      400,
      { code: "invalid_argument", message: 'data.a["__proto__"]: the key "__proto__" is not accepted (this server\'s protobuf runtime would drop it and its value); rename it' },
    ]);
    const batch = await curl(address, "EmitBatch", `{"events":[{"type":"reply.received","customerId":"cus_curl","data":{}},{"type":"reply.received","customerId":"cus_curl","data":${body.slice(body.indexOf('{"a"'), -1)}}]}`);
    expect(batch.body.message).toMatch(/^events\[1\]\.data\.a\["__proto__"\]: /);
    expect((await curl(address, "Emit", body, null)).body.code).toBe("unauthenticated");
  });

  it("survives a client that goes away halfway through its request body", async () => {
    const at = address.lastIndexOf(":");
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: address.slice(0, at),
        port: Number(address.slice(at + 1)),
        path: "/posthorn.v1.WebhookService/Emit",
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "1000", authorization: `Bearer ${TEST_ADMIN_KEY}` },
      });
      req.on("error", () => resolve());
      req.write('{"type":"reply.rec', () => setTimeout(() => (req.destroy(), resolve()), 50));
    });
    const listed = await curl(address, "ListEventTypes", {});
    expect(listed.status).toBe(200);
  });

  it("refuses a request body over the 8 MiB limit", async () => {
    const huge = JSON.stringify({ type: "reply.received", customerId: "cus_curl", data: { blob: "x".repeat(MAX_REQUEST_BYTES) } });
    const refused = await curl(address, "Emit", huge);
    expect(refused.body.code).toBe("resource_exhausted");
    expect((await t.client.listEvents({ customerId: "cus_curl" })).events).toHaveLength(1);
  });

  it("serves unary calls over gRPC-Web and binary Connect", async () => {
    for (const protocol of ["grpc-web", "binary"] as const) {
      const client = connectClient(address, TEST_ADMIN_KEY, protocol);
      expect((await client.listEventTypes({})).eventTypes.length).toBeGreaterThan(0);
      const error = await client.getEvent({ id: "evt_nope" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    }
  });

  it("answers 404 for paths it does not serve, and no CORS headers", async () => {
    for (const path of ["/", "/metrics", "/posthorn.v1.WebhookService/NoSuchMethod", "/posthorn.v1.Other/Emit"]) {
      const response = await fetch(`http://${address}${path}`, { method: "POST", headers: { origin: "https://elsewhere.example" } });
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});
