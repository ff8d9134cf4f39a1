import { afterEach, expect, it } from "vitest";
import { createWebhookClient, DeliveryState, type WebhookClient } from "@posthorn/sdk";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";
import { startOrderedReceiver, type OrderedReceiver } from "../helpers/ordered-receiver.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";

/**
 * Ordered delivery with real server processes on one PostgreSQL: across a SIGKILL and a
 * restart, and with two processes sharing the work (store/ordered-turns.ts).
 */
/** Resolves once `check` passes (polling every 100 ms); after `timeoutMs`, rejects with its last error. */
async function waitUntil(check: () => unknown, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describeOnPostgres("ordered delivery across processes", { timeout: 300_000 }, () => {
  const servers: ServerProcess[] = [];
  const clients: WebhookClient[] = [];
  const receivers: OrderedReceiver[] = [];
  const databases: TestDatabase[] = [];

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(servers.splice(0).map((s) => s.stop("SIGKILL")));
    await Promise.all(receivers.splice(0).map((r) => r.receiver.close()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  /** Short lease and retry schedule, so that a crash and two failures take seconds. */
  async function environment(): Promise<Record<string, string>> {
    const database = await createTestDatabase("postgres");
    databases.push(database);
    return {
      DATABASE_URL: database.databaseUrl!,
      POSTHORN_LOG_LEVEL: "info",
      POSTHORN_RETRY_SCHEDULE: "1,1,1",
      POSTHORN_LEASE_SECONDS: "3",
      POSTHORN_ATTEMPT_TIMEOUT_MS: "2000",
      POSTHORN_POLL_INTERVAL_MS: "100",
    };
  }

  async function start(env: Record<string, string>): Promise<{ server: ServerProcess; client: WebhookClient }> {
    const server = await spawnServer(env);
    servers.push(server);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: server.address, deadlineMs: 30_000 });
    clients.push(client);
    return { server, client };
  }

  async function deliveryStates(client: WebhookClient, subscriptionId: string): Promise<{ eventIds: string[]; states: DeliveryState[] }> {
    const { deliveries } = await client.listDeliveries({ subscriptionId, pageSize: 1000 });
    return { eventIds: deliveries.map((d) => d.eventId), states: deliveries.map((d) => d.state) };
  }

  it("SIGKILL while a later event is in flight, restart: first receipts in emit order, nothing skipped, one request at a time", async () => {
    const env = await environment();
    let killed = false;
    let emitted = false;
    // The head event fails twice (500) and then succeeds; the server is killed as event 5 arrives, before it is answered.
    const receiver = await startOrderedReceiver({
      delayMs: 50,
      status: (_id, nth, data) => (data.n === 0 && nth <= 2 ? 500 : 200),
      onRequest: (_id, nth) => {
        if (emitted && !killed && nth === 1 && receiver.arrivals.length >= 7) {
          killed = true;
          servers[0]!.child.kill("SIGKILL");
        }
      },
    });
    receivers.push(receiver);
    const started = await start(env);
    const first = started.server;
    const { subscription } = await started.client.subscribe({ customerId: "cus_ordered_kill", endpointUrl: receiver.receiver.url, ordered: true });
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) {
      ids.push((await started.client.emit({ type: "lead.created", customerId: "cus_ordered_kill", data: { n } })).event!.id);
    }
    emitted = true;
    await waitUntil(() => expect(killed).toBe(true));
    expect(await first.exited).toBe("SIGKILL");
    const beforeKill = [...receiver.firstReceipts];
    expect(beforeKill.length).toBeLessThan(12);

    const { client } = await start(env);
    await waitUntil(() => expect(receiver.firstReceipts.length).toBe(12), 120_000);
    expect(receiver.firstReceipts).toEqual(ids);
    expect(receiver.maxInFlight()).toBe(1);
    // The head was tried three times; the event in flight at the kill was sent again (at-least-once).
    expect(receiver.arrivals.filter((id) => id === ids[0])).toHaveLength(3);
    expect(receiver.arrivals.filter((id) => id === ids[4])).toHaveLength(2);
    const after = await deliveryStates(client, subscription!.id);
    expect(after.eventIds).toEqual(ids);
    await waitUntil(async () => expect((await deliveryStates(client, subscription!.id)).states.every((s) => s === DeliveryState.SUCCEEDED)).toBe(true));
  });

  it("two processes emitting and delivering at once: one request at a time, in the stored order, nothing skipped", async () => {
    const env = await environment();
    const receiver = await startOrderedReceiver({ delayMs: 20, status: (_id, nth, data) => (data.n === 0 && nth <= 2 ? 500 : 200) });
    receivers.push(receiver);
    const a = await start(env);
    const b = await start(env);
    const { subscription } = await a.client.subscribe({ customerId: "cus_ordered_two", endpointUrl: receiver.receiver.url, ordered: true });
    // n = 0 first (the failing head), then 29 more from both processes at once.
    await a.client.emit({ type: "lead.created", customerId: "cus_ordered_two", data: { n: 0 } });
    await Promise.all(
      Array.from({ length: 29 }, (_, i) =>
        (i % 2 === 0 ? a : b).client.emit({ type: "lead.created", customerId: "cus_ordered_two", data: { n: i + 1 } }),
      ),
    );
    await waitUntil(() => expect(receiver.firstReceipts.length).toBe(30), 120_000);
    const stored = await deliveryStates(b.client, subscription!.id);
    expect(receiver.firstReceipts).toEqual(stored.eventIds);
    expect(receiver.maxInFlight()).toBe(1);
    expect(receiver.arrivals).toHaveLength(32);
  });
});
