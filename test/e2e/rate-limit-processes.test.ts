import { afterEach, expect, it } from "vitest";
import { createWebhookClient } from "@posthorn/sdk";
import { createTestDatabase } from "../helpers/databases.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";
import { startReceiver } from "../helpers/receiver.js";
import { spawnServer } from "../helpers/server-process.js";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";

const RATE = 10;
const BURST = 10;
const EVENTS = 200;
const WINDOW_MS = 10_000;

/**
 * The rate limit holds across processes: two servers on one PostgreSQL share a backlog for an
 * endpoint limited to 10/s (burst 10); over a 10 s window after the burst the endpoint gets
 * 10/s within ±10 %, while another endpoint of the same customer, unlimited, gets all of its
 * deliveries meanwhile (counts, not times).
 */
describeOnPostgres("rate limit across two server processes", { timeout: 300_000 }, () => {
  /** What each test started, closed after it in reverse order (servers killed: nothing to drain). */
  const closers: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it(`${RATE}/s (burst ${BURST}) over ${WINDOW_MS / 1000} s within ±10 %, the unlimited endpoint not held up`, async () => {
    const database = await createTestDatabase("postgres");
    closers.push(() => database.drop());
    const arrivals: number[] = [];
    const limited = await startReceiver((_q, _i, res) => {
      arrivals.push(performance.now());
      res.writeHead(200).end();
    });
    const free = await startReceiver();
    closers.push(() => limited.close(), () => free.close());
    // The per-endpoint concurrency limit (default 8 per process) is another feature: raised here
    // so that the unlimited endpoint's pace is its own, and the rate limit the only brake.
    const env = {
      DATABASE_URL: database.databaseUrl!,
      POSTHORN_MAX_CONCURRENCY_PER_ENDPOINT: "64",
      POSTHORN_LOG_LEVEL: "info",
    };
    const servers = await Promise.all([spawnServer(env), spawnServer(env)]);
    closers.push(...servers.map((server) => () => server.stop("SIGKILL")));
    const clients = servers.map((server) => createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: server.address }));
    closers.push(...clients.map((client) => () => client.close()));
    const customerId = "cus_rate_e2e";
    const { subscription } = await clients[0]!.subscribe({ customerId, endpointUrl: limited.url, rateLimitPerSecond: RATE, rateLimitBurst: BURST });
    await clients[1]!.subscribe({ customerId, endpointUrl: free.url });
    // The backlog, emitted through both processes (each wakes its own workers and the other's).
    await Promise.all(
      [0, 1].map((c) =>
        clients[c]!.emitBatch({
          events: Array.from({ length: EVENTS / 2 }, (_, i) => ({ type: "lead.created", customerId, data: { n: c * 1000 + i } })),
        }),
      ),
    );
    await limited.waitFor(BURST, 60_000);
    // The window starts two seconds after the first request: past the burst and the first
    // takes, which reserve the backlog's slots while the emits still hold the subscription rows.
    const windowStart = arrivals[0]! + 2000;
    await free.waitFor(EVENTS, 60_000);
    const limitedWhenFreeDone = limited.requests.length;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowStart + WINDOW_MS - performance.now()) + 500));
    const inWindow = arrivals.filter((at) => at >= windowStart && at < windowStart + WINDOW_MS).length;
    const expected = (RATE * WINDOW_MS) / 1000;
    expect(inWindow, `${inWindow} requests in ${WINDOW_MS} ms`).toBeGreaterThanOrEqual(expected * 0.9);
    expect(inWindow, `${inWindow} requests in ${WINDOW_MS} ms`).toBeLessThanOrEqual(expected * 1.1);
    // The unlimited endpoint got all 200 while the limited one had a fraction of its backlog
    // (at 10/s, 60 means within about five seconds of the first request).
    expect(limitedWhenFreeDone).toBeLessThan(60);
    expect(limited.requests.length).toBeLessThan(EVENTS - 40); // the backlog is not through yet
    // Throttled deliveries waited without an attempt: every request so far was a first attempt.
    expect(limited.requests.every((r) => r.headers["dealix-delivery-attempt"] === "1")).toBe(true);
    expect(new Set(limited.requests.map((r) => r.headers["dealix-event-id"])).size).toBe(limited.requests.length);

    // Update to 0 lifts the limit: the rest of the backlog arrives without waiting for its slots.
    await clients[1]!.updateSubscription({ subscription: { id: subscription!.id, rateLimitPerSecond: 0 }, updateMask: { paths: ["rate_limit_per_second"] } });
    await limited.waitFor(EVENTS, 60_000);
    expect(new Set(limited.requests.map((r) => r.headers["dealix-event-id"])).size).toBe(EVENTS);
  });
});
