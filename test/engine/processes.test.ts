import { afterEach, expect, it } from "vitest";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import pg from "pg";
import { createWebhookClient, DeliveryState, type WebhookClient } from "@posthorn/sdk";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

/** Real server processes on one PostgreSQL: crash recovery, sharing work, graceful shutdown. */
describeOnPostgres("server processes on PostgreSQL", { timeout: 300_000 }, () => {
  const servers: ServerProcess[] = [];
  const clients: WebhookClient[] = [];
  const receivers: Receiver[] = [];
  const databases: TestDatabase[] = [];

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(servers.splice(0).map((s) => s.stop("SIGKILL")));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  async function setup(env: Record<string, string> = {}) {
    const database = await createTestDatabase("postgres");
    databases.push(database);
    const baseEnv = { DATABASE_URL: database.databaseUrl!, POSTHORN_LOG_LEVEL: "info", ...env };
    return { database, baseEnv };
  }

  async function countByState(client: WebhookClient, subscriptionId: string, state: DeliveryState): Promise<number> {
    let n = 0;
    let pageToken = "";
    do {
      const page = await client.listDeliveries({ subscriptionId, state, pageSize: 1000, pageToken });
      n += page.deliveries.length;
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return n;
  }

  /** Requests per event id, from the receiver's log. */
  function perEvent(receiver: Receiver): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of receiver.requests) {
      const id = String(r.headers["dealix-event-id"]);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  async function emitMany(client: WebhookClient, customerId: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 500) {
      const size = Math.min(500, count - start);
      const { results } = await client.emitBatch({
        events: Array.from({ length: size }, (_, i) => ({ type: "lead.created", customerId, data: { n: start + i } })),
      });
      ids.push(...results.map((r) => r.event!.id));
    }
    return ids;
  }

  it("after SIGKILL mid-delivery and a restart, every delivery succeeds; duplicates only for attempts in flight at the kill", async () => {
    const { baseEnv } = await setup({ POSTHORN_ATTEMPT_TIMEOUT_MS: "2000", POSTHORN_LEASE_SECONDS: "5", POSTHORN_MAX_CONCURRENCY: "16" });
    const receiver = await startReceiver((_q, _i, res) => void setTimeout(() => res.writeHead(200).end(), 5));
    receivers.push(receiver);
    const first = await spawnServer(baseEnv);
    servers.push(first);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: first.address });
    clients.push(client);
    const { subscription } = await client.subscribe({ customerId: "cus_crash", endpointUrl: receiver.url });
    const ids = await emitMany(client, "cus_crash", 1000);
    await receiver.waitFor(100, 60_000);
    await first.stop("SIGKILL");
    client.close();
    const sentBeforeKill = receiver.requests.length;
    expect(sentBeforeKill).toBeLessThan(1000);

    const second = await spawnServer(baseEnv);
    servers.push(second);
    const client2 = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: second.address });
    clients.push(client2);
    const succeeded = await eventually(
      () => countByState(client2, subscription!.id, DeliveryState.SUCCEEDED),
      (n) => n === 1000,
      600,
      200,
    );
    expect(succeeded).toBe(1000);
    const counts = perEvent(receiver);
    expect(ids.every((id) => (counts.get(id) ?? 0) >= 1)).toBe(true);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    // Only attempts in flight at the kill (at most the 16 concurrency slots) may repeat.
    expect(duplicates).toBeLessThanOrEqual(16);
    expect(receiver.requests.length).toBe(1000 + [...counts.values()].reduce((sum, n) => sum + n - 1, 0));
    // A re-sent event carries a higher attempt number each time, and every request has its row.
    const numbers = new Map<string, number[]>();
    for (const r of receiver.requests) {
      const id = String(r.headers["dealix-event-id"]);
      numbers.set(id, [...(numbers.get(id) ?? []), Number(r.headers["dealix-delivery-attempt"])]);
    }
    for (const sent of numbers.values()) expect(sent).toEqual([...sent].sort((a, b) => a - b).filter((n, i, all) => all.indexOf(n) === i));
    const db = new pg.Client({ connectionString: baseEnv.DATABASE_URL });
    await db.connect();
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM attempts`);
    await db.end();
    // Requests cut off by the kill before the receiver read them whole are recorded (abandoned) but not counted there.
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(receiver.requests.length);
    expect(Number(rows[0]!.n) - receiver.requests.length).toBeLessThanOrEqual(16);
  });

  it("two server processes on one PostgreSQL deliver 5,000 events: none lost, none sent twice", async () => {
    const { baseEnv } = await setup({ POSTHORN_MAX_CONCURRENCY: "32" });
    const receiver = await startReceiver();
    receivers.push(receiver);
    const [a, b] = await Promise.all([spawnServer(baseEnv), spawnServer(baseEnv)]);
    servers.push(a!, b!);
    const clientA = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: a!.address });
    const clientB = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: b!.address });
    clients.push(clientA, clientB);
    const { subscription } = await clientA.subscribe({ customerId: "cus_two", endpointUrl: receiver.url });
    // Half the events through each process.
    const ids = [...(await emitMany(clientA, "cus_two", 2500)), ...(await emitMany(clientB, "cus_two", 2500))];
    await receiver.waitFor(5000, 240_000);
    const succeeded = await eventually(
      () => countByState(clientB, subscription!.id, DeliveryState.SUCCEEDED),
      (n) => n === 5000,
      300,
      200,
    );
    expect(succeeded).toBe(5000);
    const counts = perEvent(receiver);
    expect(counts.size).toBe(5000);
    expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
    expect(receiver.requests).toHaveLength(5000);
  });

  it("SIGTERM stops claiming, lets in-flight attempts finish, releases the rest, and exits 0", async () => {
    const { database, baseEnv } = await setup({ POSTHORN_MAX_CONCURRENCY: "4", POSTHORN_MAX_CONCURRENCY_PER_ENDPOINT: "4" });
    const receiver = await startReceiver((_q, _i, res) => void setTimeout(() => res.writeHead(200).end(), 300));
    receivers.push(receiver);
    const server = await spawnServer(baseEnv);
    servers.push(server);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: server.address });
    clients.push(client);
    await client.subscribe({ customerId: "cus_term", endpointUrl: receiver.url });
    await emitMany(client, "cus_term", 40);
    await receiver.waitFor(1);
    expect(await server.stop("SIGTERM")).toBe(0);
    const db = new pg.Client({ connectionString: database.databaseUrl });
    await db.connect();
    const { rows } = await db.query<{ leased: string; done: string; pending: string }>(
      `SELECT count(*) FILTER (WHERE lease_owner IS NOT NULL) AS leased,
              count(*) FILTER (WHERE state = 'succeeded') AS done,
              count(*) FILTER (WHERE state = 'pending') AS pending
       FROM deliveries`,
    );
    const attempts = await db.query<{ n: string }>(`SELECT count(*) AS n FROM attempts`);
    await db.end();
    // Nothing left leased; every request the receiver answered was recorded; the rest wait for the next process.
    expect(Number(rows[0]!.leased)).toBe(0);
    expect(Number(rows[0]!.done)).toBe(receiver.requests.length);
    expect(Number(attempts.rows[0]!.n)).toBe(receiver.requests.length);
    expect(Number(rows[0]!.done) + Number(rows[0]!.pending)).toBe(40);
    expect(Number(rows[0]!.pending)).toBeGreaterThan(0);
  });

  it("an API-only process and a worker-only process split the work; WatchDeliveries on the API process sees the worker's attempts", async () => {
    const { baseEnv } = await setup();
    const receiver = await startReceiver();
    receivers.push(receiver);
    const api = await spawnServer({ ...baseEnv, POSTHORN_WORKERS: "false" });
    servers.push(api);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: api.address });
    clients.push(client);
    const { subscription } = await client.subscribe({ customerId: "cus_split", endpointUrl: receiver.url });
    const abort = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const update of client.watchDeliveries({ customerId: "cus_split" }, { signal: abort.signal })) {
        seen.push(update.attempt!.deliveryId);
      }
    })();
    // Emitted before any worker runs: the API process alone sends nothing.
    const ids = await emitMany(client, "cus_split", 20);
    const worker = await spawnServer({ ...baseEnv, POSTHORN_API: "false" });
    servers.push(worker);
    expect(worker.address).toBeUndefined();
    await receiver.waitFor(20, 60_000);
    const watched = await eventually(async () => seen.length, (n) => n >= 20, 400, 50);
    abort.abort();
    await watching;
    expect(watched).toBe(20);
    expect(new Set(receiver.requests.map((r) => String(r.headers["dealix-event-id"])))).toEqual(new Set(ids));
    expect(await countByState(client, subscription!.id, DeliveryState.SUCCEEDED)).toBe(20);
  });
});
