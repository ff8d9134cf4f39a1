import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { create } from "@bufbuild/protobuf";
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import {
  createWebhookClient,
  PosthornError,
  status,
  type WebhookClient,
} from "@posthorn/sdk";
import {
  EmitRequestSchema,
  serviceDefinitionOf,
  WebhookService,
  type EmitBatchRequest,
  type EmitRequest,
} from "@posthorn/proto";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

/**
 * What the proxy does with each call, in order: `drop` answers UNAVAILABLE without forwarding
 * (the server never saw it), `lost` forwards and then answers UNAVAILABLE (the server stored the
 * event, the answer was lost), `pass` forwards. Calls beyond the plan pass.
 */
type Step = "drop" | "lost" | "pass";

/**
 * The SDK's retry and idempotency behaviour, through a grpc-js proxy in front of a real server
 * that answers UNAVAILABLE exactly when told (deterministic, no timing). The SDK is
 * store-independent, so PGlite suffices.
 */
describe("SDK client: automatic idempotency keys, retries on UNAVAILABLE, PosthornError", () => {
  let t: TestApp;
  let proxy: Server;
  let client: WebhookClient;
  let plan: Step[] = [];
  let seen: { method: string; request: unknown }[] = [];

  beforeAll(async () => {
    t = await startTestApp("pglite");
    proxy = new Server();
    const relay =
      (method: "emit" | "emitBatch" | "subscribe") =>
      (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        seen.push({ method, request: call.request });
        const step = plan.shift() ?? "pass";
        if (step === "drop") return callback({ code: status.UNAVAILABLE, details: "proxy: dropped" });
        (t.client[method] as (request: unknown) => Promise<unknown>)(call.request).then(
          (response) => (step === "lost" ? callback({ code: status.UNAVAILABLE, details: "proxy: answer lost" }) : callback(null, response)),
          (error: PosthornError) => callback({ code: error.code, details: error.details }),
        );
      };
    proxy.addService(serviceDefinitionOf(WebhookService), { emit: relay("emit"), emitBatch: relay("emitBatch"), subscribe: relay("subscribe") });
    const port = await new Promise<number>((resolve, reject) =>
      proxy.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: `127.0.0.1:${port}`, maxRetries: 2 });
  });
  beforeEach(() => {
    plan = [];
    seen = [];
  });

  it("refuses a \"__proto__\" key in data before sending (protobuf-es would drop it silently)", async () => {
    await expectError(client.emit({ type: "lead.created", customerId: "cus_proto", data: JSON.parse('{"__proto__":{"x":1},"a":2}') }), status.INVALID_ARGUMENT, /^data\["__proto__"\]: /);
    const nested = JSON.parse('{"a":[1,{"__proto__":1}]}');
    await expectError(client.emitBatch({ events: [{ type: "lead.created", customerId: "cus_proto", data: nested }] }), status.INVALID_ARGUMENT, /^events\[0\]\.data\.a\[1\]\["__proto__"\]: /);
    expect(seen).toEqual([]);
    expect((await t.client.listEvents({ customerId: "cus_proto" })).events).toEqual([]);
    // A value "__proto__" and a key that merely looks like it are fine.
    await client.emit({ type: "lead.created", customerId: "cus_proto", data: { key: "__proto__", __proto__x: 1 } });
    expect((await t.client.listEvents({ customerId: "cus_proto" })).events).toHaveLength(1);
  });
  afterAll(async () => {
    client?.close();
    proxy?.forceShutdown();
    await t?.close();
  });

  const keysSeen = () => seen.map((s) => (s.request as EmitRequest).idempotencyKey);

  it("emit without a key gets one sdk_ key, and the retry after UNAVAILABLE reuses it", async () => {
    plan = ["drop"];
    const { event, replayed } = await client.emit({ type: "lead.created", customerId: "cus_sdk_drop" });
    expect(replayed).toBe(false);
    expect(keysSeen()).toHaveLength(2);
    expect(keysSeen()[0]).toMatch(/^sdk_[0-9a-f-]{36}$/);
    expect(keysSeen()[1]).toBe(keysSeen()[0]);
    expect(event!.idempotencyKey).toBe(keysSeen()[0]);
    expect((await t.client.listEvents({ customerId: "cus_sdk_drop" })).events.map((e) => e.id)).toEqual([event!.id]);
  });

  it("a retry after a lost answer returns the stored event, never a second one", async () => {
    await t.client.subscribe({ customerId: "cus_sdk_lost", endpointUrl: "https://example.com/h" });
    plan = ["lost", "lost"];
    const { event, replayed, matchedSubscriptions } = await client.emit({ type: "lead.created", customerId: "cus_sdk_lost", data: { n: 1 } });
    expect(seen).toHaveLength(3);
    expect(new Set(keysSeen()).size).toBe(1);
    expect(replayed).toBe(true);
    expect(matchedSubscriptions).toBe(1);
    expect((await t.client.listEvents({ customerId: "cus_sdk_lost" })).events.map((e) => e.id)).toEqual([event!.id]);
    expect((await t.client.listDeliveries({ customerId: "cus_sdk_lost" })).deliveries).toHaveLength(1);
  });

  it("a caller's own key is sent as it is", async () => {
    plan = ["drop"];
    const { event } = await client.emit({ type: "lead.created", customerId: "cus_sdk_own", idempotencyKey: "order-42" });
    expect(keysSeen()).toEqual(["order-42", "order-42"]);
    expect(event!.idempotencyKey).toBe("order-42");
  });

  it("the generated key never leaks into the caller's request: one message emitted twice makes two events", async () => {
    const request = create(EmitRequestSchema, { type: "lead.created", customerId: "cus_sdk_reuse" });
    const first = await client.emit(request);
    const second = await client.emit(request);
    const batch = await client.emitBatch({ events: [request] });
    expect(request.idempotencyKey).toBe("");
    expect([first.replayed, second.replayed, batch.results[0]!.replayed]).toEqual([false, false, false]);
    expect(new Set([first.event!.id, second.event!.id, batch.results[0]!.event!.id]).size).toBe(3);
    expect((await t.client.listEvents({ customerId: "cus_sdk_reuse" })).events).toHaveLength(3);
  });

  it("emitBatch gives each event its own key and keeps them across the retry", async () => {
    plan = ["lost"];
    const { results } = await client.emitBatch({
      events: [
        { type: "deal.won", customerId: "cus_sdk_batch" },
        { type: "deal.won", customerId: "cus_sdk_batch", idempotencyKey: "mine" },
        { type: "deal.won", customerId: "cus_sdk_batch" },
      ],
    });
    expect(seen).toHaveLength(2);
    const [firstTry, secondTry] = seen.map((s) => (s.request as EmitBatchRequest).events.map((e) => e.idempotencyKey));
    expect(secondTry).toEqual(firstTry);
    expect(firstTry![1]).toBe("mine");
    expect(firstTry![0]).toMatch(/^sdk_/);
    expect(firstTry![2]).toMatch(/^sdk_/);
    expect(firstTry![0]).not.toBe(firstTry![2]);
    expect(results.map((r) => r.replayed)).toEqual([true, true, true]);
    expect((await t.client.listEvents({ customerId: "cus_sdk_batch" })).events.map((e) => e.id)).toEqual(results.map((r) => r.event!.id));
  });

  it("gives up after maxRetries with a PosthornError carrying code and details", async () => {
    plan = ["drop", "drop", "drop", "drop"];
    const error = await expectError(client.emit({ type: "lead.created", customerId: "cus_sdk_down" }), status.UNAVAILABLE, literal("proxy: dropped"));
    expect(seen).toHaveLength(3); // 1 + maxRetries
    expect(new Set(keysSeen()).size).toBe(1);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("PosthornError");
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.message).toBe("UNAVAILABLE: proxy: dropped");
    expect((await t.client.listEvents({ customerId: "cus_sdk_down" })).events).toEqual([]);
  });

  it("does not retry calls that are not safe to repeat", async () => {
    plan = ["drop"];
    await expectError(client.subscribe({ customerId: "cus_sdk_sub", endpointUrl: "https://example.com/h" }), status.UNAVAILABLE, literal("proxy: dropped"));
    expect(seen).toHaveLength(1);
    expect((await t.client.listSubscriptions({ customerId: "cus_sdk_sub" })).subscriptions).toEqual([]);
  });

  it("server errors surface as PosthornError with code, codeName and details, and are not retried", async () => {
    const error = await expectError(client.emit({ type: "nope.nope", customerId: "cus_sdk_err" }), status.INVALID_ARGUMENT, /^type: unknown event type "nope.nope"/);
    expect(seen).toHaveLength(1);
    expect(error.codeName).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe(`INVALID_ARGUMENT: ${error.details}`);
  });

  it("a call to an address with no server fails as UNAVAILABLE", async () => {
    const probe = new Server();
    const port = await new Promise<number>((resolve, reject) =>
      probe.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    probe.forceShutdown(); // the port is now closed
    const nobody = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: `127.0.0.1:${port}`, maxRetries: 0, deadlineMs: 10_000 });
    try {
      const error = await expectError(nobody.listEventTypes({}), status.UNAVAILABLE, /./);
      expect(error).toBeInstanceOf(PosthornError);
    } finally {
      nobody.close();
    }
  });
});

describe("SDK client: a malformed API key", () => {
  it("is refused when the client is made, naming the position and never quoting the key", () => {
    for (const [apiKey, what] of [
      ["phk_do_not_print_me\n", "character 20 is a line break"],
      ["phk_do not_print_me", "character 7 is white space"],
      ["phk_do_not_print_mé", "character 19 is a character outside visible ASCII"],
    ] as const) {
      let thrown: unknown;
      try {
        createWebhookClient({ address: "127.0.0.1:1", apiKey }).close();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toContain(`apiKey: ${what}`);
      expect((thrown as Error).message).not.toContain("print");
    }
  });
});
