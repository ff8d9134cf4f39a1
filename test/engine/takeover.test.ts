import type { ServerResponse } from "node:http";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { afterEach, expect, it } from "vitest";
import pg from "pg";
import { AttemptErrorKind, createWebhookClient, type WebhookClient } from "@posthorn/sdk";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type ReceivedRequest, type Receiver } from "../helpers/receiver.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

/**
 * Honest attempt records when a process dies, freezes or is stopped mid-attempt (issue 10,
 * findings 5–7): another process takes over within 15 s, every request a receiver sees carries
 * a new attempt number, and the attempts list has exactly one row per request sent.
 */
describeOnPostgres("taking over from a dead, frozen or stopping process", { timeout: 120_000 }, () => {
  const servers: ServerProcess[] = [];
  const clients: WebhookClient[] = [];
  const receivers: Receiver[] = [];
  const databases: TestDatabase[] = [];
  const dbs: pg.Client[] = [];

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    for (const s of servers) if (s.child.signalCode === null && s.child.exitCode === null) s.child.kill("SIGCONT");
    await Promise.all(servers.splice(0).map((s) => s.stop("SIGKILL")));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await Promise.all(dbs.splice(0).map((d) => d.end()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  async function setup() {
    const database = await createTestDatabase("postgres");
    databases.push(database);
    const db = new pg.Client({ connectionString: database.databaseUrl });
    db.on("error", () => {});
    await db.connect();
    dbs.push(db);
    const env = { DATABASE_URL: database.databaseUrl!, POSTHORN_LOG_LEVEL: "info" };
    return { db, env };
  }

  /**
   * A receiver that holds the first `hold` requests unanswered (their responses are kept to
   * answer later) and answers every later one 200 at once.
   */
  async function holdingReceiver(hold: number) {
    const held: ServerResponse[] = [];
    const receiver = await startReceiver((_request, index, response) => {
      if (index <= hold) held.push(response);
      else response.writeHead(200).end("ok");
    });
    receivers.push(receiver);
    return { receiver, held };
  }

  /** The `Dealix-Delivery-Attempt` numbers each event's requests carried, in arrival order. */
  function attemptNumbersByEvent(requests: ReceivedRequest[]): Map<string, number[]> {
    const byEvent = new Map<string, number[]>();
    for (const r of requests) {
      const id = String(r.headers["dealix-event-id"]);
      byEvent.set(id, [...(byEvent.get(id) ?? []), Number(r.headers["dealix-delivery-attempt"])]);
    }
    return byEvent;
  }

  async function attemptRows(db: pg.Client) {
    const { rows } = await db.query<{ event_id: string; attempt_number: number; error_kind: string | null; status_code: number | null }>(
      `SELECT d.event_id, a.attempt_number, a.error_kind, a.status_code
       FROM attempts a JOIN deliveries d ON d.id = a.delivery_id ORDER BY d.event_id, a.attempt_number`,
    );
    return rows;
  }

  async function deliveryStates(db: pg.Client) {
    const { rows } = await db.query<{ state: string; n: string; leased: string }>(
      `SELECT state, count(*) AS n, count(*) FILTER (WHERE lease_owner IS NOT NULL) AS leased FROM deliveries GROUP BY state`,
    );
    return Object.fromEntries(rows.map((r) => [r.state, { n: Number(r.n), leased: Number(r.leased) }]));
  }

  async function emit(client: WebhookClient, customerId: string, count: number): Promise<string[]> {
    const { results } = await client.emitBatch({
      events: Array.from({ length: count }, (_, i) => ({ type: "lead.created", customerId, data: { n: i } })),
    });
    return results.map((r) => r.event!.id);
  }

  it("SIGKILL: a second process finishes the killed one's deliveries within 15 s, under new attempt numbers, one row per request", async () => {
    const { db, env } = await setup();
    // Eight: the default per-endpoint limit, so all of them are in flight at once.
    const { receiver } = await holdingReceiver(8);
    const first = await spawnServer(env);
    servers.push(first);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: first.address });
    clients.push(client);
    await client.subscribe({ customerId: "cus_kill", endpointUrl: receiver.url });
    const ids = await emit(client, "cus_kill", 8);
    await receiver.waitFor(8); // the first process holds all eight, their requests unanswered
    const second = await spawnServer(env);
    servers.push(second);
    expect((await deliveryStates(db)).pending).toEqual({ n: 8, leased: 8 });

    await first.stop("SIGKILL");
    const killedAt = Date.now();
    const states = await eventually(() => deliveryStates(db), (s) => s.succeeded?.n === 8, 300, 100);
    const tookMs = Date.now() - killedAt;
    expect(states.succeeded?.n).toBe(8);
    expect(tookMs).toBeLessThan(15_000);

    // Each event: attempt 1 (lost with the process), then attempt 2, in that order.
    const numbers = attemptNumbersByEvent(receiver.requests);
    expect([...numbers.keys()].sort()).toEqual([...ids].sort());
    for (const sent of numbers.values()) expect(sent).toEqual([1, 2]);
    // One row per request: attempt 1 abandoned (recorded by the sweeper), attempt 2 answered 200.
    const rows = await attemptRows(db);
    expect(rows).toHaveLength(receiver.requests.length);
    expect(rows.filter((r) => r.attempt_number === 1).every((r) => r.error_kind === "abandoned")).toBe(true);
    expect(rows.filter((r) => r.attempt_number === 2).every((r) => r.status_code === 200)).toBe(true);
  });

  it("a process frozen past its lease cannot overwrite the outcome of the one that took over; its real outcome replaces the abandoned row", async () => {
    const { db, env } = await setup();
    const { receiver, held } = await holdingReceiver(5);
    // The attempt deadline outlasts the freeze, so on waking the frozen process reads the
    // receiver's answer instead of timing out first.
    const frozen = await spawnServer({ ...env, POSTHORN_LEASE_SECONDS: "3", POSTHORN_ATTEMPT_TIMEOUT_MS: "120000" });
    servers.push(frozen);
    // An API-only process, watching from before the freeze: it hears every attempt recorded by
    // any process (NOTIFY): abandoned 1, then 2, then the real 1.
    const api = await spawnServer({ ...env, POSTHORN_WORKERS: "false" });
    servers.push(api);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: api.address });
    clients.push(client);
    const watch = new AbortController();
    const watched: string[] = [];
    const watching = (async () => {
      for await (const { attempt } of client.watchDeliveries({ customerId: "cus_freeze" }, { signal: watch.signal })) {
        watched.push(`${attempt!.attemptNumber}:${attempt!.errorKind === AttemptErrorKind.ABANDONED ? "abandoned" : attempt!.statusCode}`);
      }
    })().catch(() => {});
    await client.subscribe({ customerId: "cus_freeze", endpointUrl: receiver.url });
    await emit(client, "cus_freeze", 5);
    await receiver.waitFor(5);
    frozen.child.kill("SIGSTOP");
    const other = await spawnServer({ ...env, POSTHORN_LEASE_SECONDS: "3", POSTHORN_API: "false" });
    servers.push(other);
    // The other process sweeps the frozen one's leases and sends attempt 2 of each.
    await receiver.waitFor(10, 30_000);
    await eventually(() => deliveryStates(db), (s) => s.succeeded?.n === 5, 200, 100);
    // Now the frozen process's requests get their answers, and it wakes up.
    for (const response of held) response.writeHead(202).end("late");
    frozen.child.kill("SIGCONT");
    const rows = await eventually(
      () => attemptRows(db),
      (r) => r.filter((row) => row.attempt_number === 1 && row.error_kind === null).length === 5,
      200,
      100,
    );
    // Attempt 1 now shows what the receiver answered the frozen process; nothing was overwritten.
    expect(rows.filter((r) => r.attempt_number === 1).map((r) => r.status_code)).toEqual([202, 202, 202, 202, 202]);
    expect(rows.filter((r) => r.attempt_number === 2).map((r) => r.status_code)).toEqual([200, 200, 200, 200, 200]);
    expect(rows).toHaveLength(receiver.requests.length);
    await eventually(async () => watched.length, (n) => n >= 15, 100, 100);
    watch.abort();
    await watching;
    expect(watched.filter((w) => w === "1:abandoned")).toHaveLength(5);
    expect(watched.filter((w) => w === "2:200")).toHaveLength(5);
    expect(watched.filter((w) => w === "1:202")).toHaveLength(5);
    const states = await deliveryStates(db);
    expect(states).toEqual({ succeeded: { n: 5, leased: 0 } });
    const { rows: counts } = await db.query<{ attempt_count: number }>(`SELECT attempt_count FROM deliveries`);
    expect(counts.every((c) => c.attempt_count === 2)).toBe(true);
  });

  it("SIGTERM past the shutdown timeout aborts the attempts in flight, records them as shutdown, and the next process sends attempt 2", async () => {
    const { db, env } = await setup();
    const { receiver } = await holdingReceiver(3);
    const stopping = await spawnServer({ ...env, POSTHORN_SHUTDOWN_TIMEOUT_MS: "1000", POSTHORN_RETRY_SCHEDULE: "1,1,1" });
    servers.push(stopping);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: stopping.address });
    clients.push(client);
    await client.subscribe({ customerId: "cus_term", endpointUrl: receiver.url });
    await emit(client, "cus_term", 3);
    await receiver.waitFor(3);
    const signaledAt = Date.now();
    expect(await stopping.stop("SIGTERM")).toBe(0);
    expect(Date.now() - signaledAt).toBeLessThan(1000 + 2000);

    // Aborted, recorded, not released while running: nothing leased, attempt 1 = shutdown, will retry.
    const aborted = await attemptRows(db);
    expect(aborted.map((r) => [r.attempt_number, r.error_kind])).toEqual([
      [1, "shutdown"],
      [1, "shutdown"],
      [1, "shutdown"],
    ]);
    expect((await deliveryStates(db)).pending).toEqual({ n: 3, leased: 0 });

    const next = await spawnServer(env);
    servers.push(next);
    await eventually(() => deliveryStates(db), (s) => s.succeeded?.n === 3, 300, 100);
    for (const sent of attemptNumbersByEvent(receiver.requests).values()) expect(sent).toEqual([1, 2]);
    expect(await attemptRows(db)).toHaveLength(receiver.requests.length);
  });
});
