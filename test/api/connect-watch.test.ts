import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { ApiKeyRole, type WatchDeliveriesResponse } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { connectClient, type ConnectClient } from "../helpers/connect-client.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

/** A WatchDeliveries stream over Connect, read in the background. */
function watchOver(client: ConnectClient, request: { customerId?: string; subscriptionId?: string }) {
  const abort = new AbortController();
  const seen: WatchDeliveriesResponse[] = [];
  const ended = (async () => {
    for await (const update of client.watchDeliveries(request, { signal: abort.signal })) seen.push(update);
  })().then(
    () => "OK" as const,
    (error: unknown) => ConnectError.from(error),
  );
  return { seen, ended, abort };
}

describe.each(STORES)("WatchDeliveries over Connect (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  let admin: ConnectClient;
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true });
    receiver = await startReceiver((_q, _i, res) => void res.writeHead(200).end());
    admin = connectClient(t.app.httpAddress!, TEST_ADMIN_KEY);
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  /**
   * Emits for `customerId` until `seen` has an update (Connect sends a stream's headers with its
   * first message, so the client cannot tell when the watch is registered; attempts made before
   * then are not streamed).
   */
  const emitUntilSeen = async (customerId: string, seen: WatchDeliveriesResponse[]) => {
    for (let i = 0; i < 100 && seen.length === 0; i++) {
      await t.client.emit({ type: "reply.received", customerId, data: { i } });
      await t.app.engine!.idle();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it("streams each attempt's outcome, only the customer's own to a customer key", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_w1", endpointUrl: receiver.url });
    await t.client.subscribe({ customerId: "cus_w2", endpointUrl: receiver.url });
    const { key } = await t.client.createApiKey({ name: "w1", role: ApiKeyRole.CUSTOMER, customerId: "cus_w1" });
    const mine = watchOver(connectClient(t.app.httpAddress!, key), {});
    const all = watchOver(admin, { subscriptionId: subscription!.id });
    // Another customer's attempts never reach the customer key's stream.
    await t.client.emit({ type: "reply.received", customerId: "cus_w2", data: {} });
    await emitUntilSeen("cus_w1", mine.seen);
    await emitUntilSeen("cus_w1", all.seen);
    expect(mine.seen[0]!.attempt!.statusCode).toBe(200);
    expect(mine.seen[0]!.delivery!.subscriptionId).toBe(subscription!.id);
    expect([...mine.seen, ...all.seen].every((update) => update.delivery!.customerId === "cus_w1")).toBe(true);

    // A client that goes away ends its stream; the server goes on serving.
    mine.abort.abort();
    all.abort.abort();
    expect((await mine.ended) === "OK" || (await mine.ended as ConnectError).code === Code.Canceled).toBe(true);
    expect((await admin.listEventTypes({})).eventTypes.length).toBeGreaterThan(0);
  });

  it("ends a stream UNAUTHENTICATED when its key is revoked", async () => {
    await t.client.subscribe({ customerId: "cus_w3", endpointUrl: receiver.url });
    const made = await t.client.createApiKey({ name: "w3", role: ApiKeyRole.CUSTOMER, customerId: "cus_w3" });
    const watch = watchOver(connectClient(t.app.httpAddress!, made.key), {});
    await emitUntilSeen("cus_w3", watch.seen);
    await admin.revokeApiKey({ id: made.apiKey!.id });
    const ended = await watch.ended;
    expect(ended).toBeInstanceOf(ConnectError);
    expect([(ended as ConnectError).code, (ended as ConnectError).rawMessage]).toEqual([Code.Unauthenticated, expect.stringContaining("was revoked")]);
  });
});

describe("WatchDeliveries over Connect at shutdown", () => {
  it("ends open streams and stops within the grace", async () => {
    const t = await startTestApp("pglite", { workers: true });
    const receiver = await startReceiver((_q, _i, res) => void res.writeHead(200).end());
    try {
      await t.client.subscribe({ customerId: "cus_stop", endpointUrl: receiver.url });
      const watch = watchOver(connectClient(t.app.httpAddress!, TEST_ADMIN_KEY), {});
      for (let i = 0; i < 100 && watch.seen.length === 0; i++) {
        await t.client.emit({ type: "reply.received", customerId: "cus_stop", data: {} });
        await t.app.engine!.idle();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(watch.seen.length).toBeGreaterThan(0);
      t.client.close();
      await t.app.stop();
      expect(await watch.ended).toBe("OK");
    } finally {
      await receiver.close();
      await t.database.drop();
    }
  });
});
