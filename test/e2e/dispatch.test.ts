/**
 * End to end, as a user runs it: the real server started through the CLI
 * (`node server/bin/posthorn.js serve`) as a child process on PostgreSQL, driven through the
 * SDK over gRPC, delivering to real HTTP receivers that verify every request with
 * `@posthorn/verifier` and, independently, with the `stripe` package.
 *
 * Two customers, three subscriptions: cus_a has one filtered to three event types and one
 * disabled; cus_b has one for every type whose endpoint answers 500 to the first two attempts
 * of each delivery. All 19 default event types are emitted for both customers.
 */
import Stripe from "stripe";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createWebhookClient, DeliveryState, EventView, type Delivery, type Event, type WebhookClient } from "@posthorn/sdk";
import { verifySignature } from "@posthorn/verifier";
import { DEFAULT_EVENT_TYPES } from "../../server/src/domain/event-catalog.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { startReceiver, type ReceivedRequest, type Receiver } from "../helpers/receiver.js";
import { TEST_SECRET_KEYS } from "../helpers/test-keys.js";
import { startProcess, waitForListening, type RunningProcess } from "./child-process.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

const stripe = new Stripe("sk_test_not_a_real_key");
const FILTERED_TYPES = ["lead.created", "deal.won", "payment.received"];

describeOnPostgres("posthorn serve on PostgreSQL, end to end", () => {
  let database: TestDatabase | undefined;
  let server: RunningProcess | undefined;
  let client: WebhookClient | undefined;
  let metricsAddress: string | undefined;
  const receivers: Receiver[] = [];
  let filtered: Receiver, disabled: Receiver, flaky: Receiver;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    server = startProcess("node", ["server/bin/posthorn.js", "serve"], {
      env: {
        DATABASE_URL: database.databaseUrl,
        POSTHORN_SECRET_KEYS: TEST_SECRET_KEYS,
        POSTHORN_LISTEN_ADDRESS: "127.0.0.1:0",
        POSTHORN_HTTP_ADDRESS: "127.0.0.1:0",
        POSTHORN_METRICS_ADDRESS: "127.0.0.1:0",
        POSTHORN_ALLOWED_CIDRS: "127.0.0.1/32",
        POSTHORN_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
        POSTHORN_RETRY_SCHEDULE: "1,1,1,1,1",
        POSTHORN_RETRY_JITTER: "0",
        POSTHORN_POLL_INTERVAL_MS: "200",
        POSTHORN_LOG_LEVEL: "info",
      },
    });
    const listening = await waitForListening(server);
    metricsAddress = listening.metrics;
    client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: listening.address, deadlineMs: 30_000 });
    filtered = await startReceiver();
    disabled = await startReceiver();
    // Fails the first two attempts of every delivery, by the attempt header the contract defines.
    flaky = await startReceiver((request, _index, response) => {
      const attempt = Number(request.headers["dealix-delivery-attempt"]);
      response.writeHead(attempt <= 2 ? 500 : 200).end(attempt <= 2 ? "try again" : "ok");
    });
    receivers.push(filtered, disabled, flaky);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    const code = await server?.stop();
    for (const receiver of receivers) await receiver.close();
    await database?.drop();
    // Graceful shutdown: SIGTERM ends `serve` with exit code 0 and a "stopped" log line.
    expect(code).toBe(0);
    expect(server?.stdoutLines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  }, 60_000);

  it("delivers exactly the right signed requests, retries the failing endpoint, and records every attempt", async () => {
    const api = client!;
    const subscribe = async (customerId: string, receiver: Receiver, eventTypes: string[] = [], enabled = true) =>
      api.subscribe({ customerId, endpointUrl: receiver.url, eventTypes, enabled });
    const subFiltered = await subscribe("cus_a", filtered, FILTERED_TYPES);
    const subDisabled = await subscribe("cus_a", disabled, [], false);
    const subFlaky = await subscribe("cus_b", flaky);
    const secretOf = new Map([
      [filtered, subFiltered.secret],
      [disabled, subDisabled.secret],
      [flaky, subFlaky.secret],
    ]);

    const { eventTypes } = await api.listEventTypes({});
    expect(eventTypes).toEqual([...DEFAULT_EVENT_TYPES]);
    expect(eventTypes).toHaveLength(19);

    // All 19 types for both customers, through the SDK.
    const events = new Map<string, Event>();
    for (const customerId of ["cus_a", "cus_b"]) {
      for (const [n, type] of eventTypes.entries()) {
        const { event, matchedSubscriptions } = await api.emit({ type, customerId, data: { n, customer: customerId, note: "añejo ✓" }, view: EventView.FULL });
        events.set(event!.id, event!);
        const expected = customerId === "cus_b" ? 1 : FILTERED_TYPES.includes(type) ? 1 : 0;
        expect(matchedSubscriptions, `${customerId} ${type}`).toBe(expected);
      }
    }

    // cus_a's filtered endpoint: one request per filtered type; cus_b's: three attempts per type.
    await filtered.waitFor(FILTERED_TYPES.length, 60_000);
    await flaky.waitFor(19 * 3, 90_000);
    const deliveries = await waitUntilSettled(api, 22);

    // Exactly the right requests arrived.
    expect(disabled.requests).toHaveLength(0);
    const sent = (receiver: Receiver) => receiver.requests.map((r) => `${String(r.headers["dealix-event-id"])}#${String(r.headers["dealix-delivery-attempt"])}`).sort();
    const eventsOf = (customerId: string, types: readonly string[]) =>
      [...events.values()].filter((e) => e.customerId === customerId && types.includes(e.type));
    expect(sent(filtered)).toEqual(eventsOf("cus_a", FILTERED_TYPES).map((e) => `${e.id}#1`).sort());
    expect(sent(flaky)).toEqual(eventsOf("cus_b", eventTypes).flatMap((e) => [1, 2, 3].map((n) => `${e.id}#${n}`)).sort());

    // Every request verifies (ours and Stripe's), carries the contract's headers, and its body
    // is exactly the stored envelope.
    for (const receiver of [filtered, flaky]) {
      for (const request of receiver.requests) checkRequest(request, events, secretOf.get(receiver)!);
    }
    // Each attempt is signed when sent: a retry's `t` is not before the previous attempt's.
    const timesOf = (eventId: string) =>
      flaky.requests
        .filter((r) => r.headers["dealix-event-id"] === eventId)
        .sort((a, b) => Number(a.headers["dealix-delivery-attempt"]) - Number(b.headers["dealix-delivery-attempt"]))
        .map((r) => Number(/t=(\d+)/.exec(String(r.headers["dealix-signature"]))![1]));
    for (const event of eventsOf("cus_b", eventTypes)) {
      const times = timesOf(event.id);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }

    // ListDeliveries shows every attempt with its status.
    expect(deliveries).toHaveLength(22);
    for (const delivery of deliveries) {
      expect(delivery.state, delivery.id).toBe(DeliveryState.SUCCEEDED);
      const statuses = delivery.attempts.map((a) => a.statusCode);
      const expectedStatuses = delivery.subscriptionId === subFlaky.subscription!.id ? [500, 500, 200] : [200];
      expect(statuses, delivery.id).toEqual(expectedStatuses);
      expect(delivery.attemptCount).toBe(expectedStatuses.length);
      expect(delivery.attempts.map((a) => a.attemptNumber)).toEqual(expectedStatuses.map((_, i) => i + 1));
      expect(delivery.attempts.map((a) => a.succeeded)).toEqual(expectedStatuses.map((s) => s === 200));
      expect(delivery.attempts.map((a) => a.willRetry)).toEqual(expectedStatuses.map((s) => s !== 200));
      // The recorded signature is the one the endpoint received with that attempt.
      const receiver = delivery.subscriptionId === subFlaky.subscription!.id ? flaky : filtered;
      for (const attempt of delivery.attempts) {
        const request = receiver.requests.find(
          (r) => r.headers["dealix-event-id"] === delivery.eventId && r.headers["dealix-delivery-attempt"] === String(attempt.attemptNumber),
        );
        expect(request?.headers["dealix-signature"]).toBe(attempt.signature);
      }
    }
    const { deliveries: none } = await api.listDeliveries({ subscriptionId: subDisabled.subscription!.id });
    expect(none).toHaveLength(0);

    // The Prometheus endpoint, on its own port, counts what happened.
    const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
    expect(metricValue(text, "posthorn_attempts_total", 'outcome="succeeded"')).toBe(22);
    expect(metricValue(text, "posthorn_attempts_total", 'outcome="retry"')).toBe(38);
    expect(metricValue(text, "posthorn_retries_scheduled_total")).toBe(38);
    expect(metricValue(text, "posthorn_deliveries_pending")).toBe(0);
    const emitted = [...text.matchAll(/^posthorn_events_emitted_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(emitted).toBe(38);
  }, 180_000);
});

function checkRequest(request: ReceivedRequest, events: Map<string, Event>, secret: string): void {
  const headers = request.headers;
  const eventId = String(headers["dealix-event-id"]);
  const event = events.get(eventId);
  expect(event, `unknown event ${eventId}`).toBeDefined();
  expect(request.method).toBe("POST");
  expect(headers["content-type"]).toBe("application/json");
  expect(headers["user-agent"]).toBe("Dealix-Webhooks/1.0");
  expect(eventId).toMatch(/^evt_[0-9a-f]{24}$/);
  expect(headers["dealix-event-type"]).toBe(event!.type);
  expect(String(headers["dealix-delivery-attempt"])).toMatch(/^[1-9]\d*$/);
  const signature = String(headers["dealix-signature"]);
  expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(request.body.equals(Buffer.from(event!.envelope))).toBe(true);

  const envelope = JSON.parse(request.body.toString("utf8")) as Record<string, unknown>;
  expect(Object.keys(envelope)).toEqual(["api_version", "customer_id", "data", "id", "timestamp", "type"]);
  expect(envelope).toMatchObject({ api_version: "v1", id: eventId, type: event!.type, customer_id: event!.customerId });

  expect(verifySignature({ payload: request.body, header: signature, secrets: [secret] })).toMatchObject({ ok: true });
  const stripeEvent = stripe.webhooks.constructEvent(request.body, signature, secret) as unknown as { id: string };
  expect(stripeEvent.id).toBe(eventId);
}

/** Polls ListDeliveries (all pages) until `count` deliveries exist and none is pending. */
async function waitUntilSettled(api: WebhookClient, count: number): Promise<Delivery[]> {
  for (;;) {
    const all: Delivery[] = [];
    let pageToken = "";
    do {
      const page = await api.listDeliveries({ pageToken, pageSize: 100 });
      all.push(...page.deliveries);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    if (all.length >= count && all.every((d) => d.state !== DeliveryState.PENDING)) return all;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The value of one sample in Prometheus text format, e.g. `posthorn_attempts_total{outcome="retry"}`. */
function metricValue(text: string, name: string, label?: string): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (label === undefined ? /^ /.test(rest) : rest.startsWith("{") && rest.includes(label)) return Number(rest.split(" ").pop());
  }
  return undefined;
}
