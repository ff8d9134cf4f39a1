/**
 * Operational events end to end (issue 15), as an operator runs them: `posthorn serve` as a child
 * process with POSTHORN_OPERATIONAL_CUSTOMER_ID=ops and a short retry schedule (3 attempts), the
 * operator's receivers subscribed for `ops`, customers' endpoints answering 410, 500 or dying
 * with the worker. Every operational request the operator gets verifies with
 * `@posthorn/verifier`, and its data match the type's JSON Schema
 * (domain/operational-event-schemas.ts). PGlite always, PostgreSQL with DATABASE_URL.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookClient, DeliveryState, EventView, type Delivery, type WebhookClient } from "@posthorn/sdk";
import { verifySignature } from "@posthorn/verifier";
import { OPERATIONAL_EVENT_SCHEMAS } from "../../server/src/domain/operational-event-schemas.js";
import { isOperationalEventType } from "../../server/src/domain/operational-events.js";
import { createTestDatabase, STORES, type TestDatabase } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { compileSchema } from "../helpers/json-schema.js";
import { startReceiver, type ReceivedRequest, type Receiver } from "../helpers/receiver.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";

const OPS = "ops";

/** An operational event as the operator's endpoint received it. */
interface Received {
  id: string;
  type: string;
  customerId: string;
  data: Record<string, unknown>;
}

/** Checks one request to the operator's endpoint (signature, headers, schema) and returns its event. */
function checkOperational(request: ReceivedRequest, secret: string): Received {
  const signature = String(request.headers["dealix-signature"]);
  expect(verifySignature({ payload: request.body, header: signature, secrets: [secret] })).toMatchObject({ ok: true });
  const envelope = JSON.parse(request.body.toString("utf8")) as { id: string; type: string; customer_id: string; data: Record<string, unknown> };
  expect(request.headers["dealix-event-type"]).toBe(envelope.type);
  expect(request.headers["dealix-event-id"]).toBe(envelope.id);
  expect(isOperationalEventType(envelope.type), envelope.type).toBe(true);
  const check = compileSchema(OPERATIONAL_EVENT_SCHEMAS[envelope.type as keyof typeof OPERATIONAL_EVENT_SCHEMAS].schema);
  expect(check(envelope.data), `${envelope.type}: ${JSON.stringify(check.errors)}`).toBe(true);
  return { id: envelope.id, type: envelope.type, customerId: envelope.customer_id, data: envelope.data };
}

/** All deliveries matching `filter` (every page). */
async function allDeliveries(client: WebhookClient, filter: { customerId?: string; state?: DeliveryState } = {}): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let pageToken = "";
  do {
    const page = await client.listDeliveries({ ...filter, pageToken, pageSize: 200 });
    all.push(...page.deliveries);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}

describe.each(STORES)("operational events from a real server process (%s)", { timeout: 120_000 }, (kind) => {
  let database: TestDatabase;
  let server: ServerProcess;
  let client: WebhookClient;
  let env: Record<string, string>;
  const receivers: Receiver[] = [];
  /** The operator's endpoint that answers 200, and its signing secret. */
  let ops: Receiver;
  let opsSecret: string;

  async function start(): Promise<void> {
    server = await spawnServer(env);
    client = createWebhookClient({ address: server.address, metadata: bearer(TEST_ADMIN_KEY), deadlineMs: 30_000 });
  }

  async function receiver(respond?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const started = await startReceiver(respond);
    receivers.push(started);
    return started;
  }

  /** The events the operator got so far, checked, in arrival order, without repeats. */
  function operatorEvents(): Received[] {
    const seen = new Map<string, Received>();
    for (const request of ops.requests) {
      const event = checkOperational(request, opsSecret);
      seen.set(event.id, event);
    }
    return [...seen.values()];
  }

  async function waitForOperatorEvent(match: (event: Received) => boolean): Promise<Received> {
    const found = await eventually(
      async () => operatorEvents().find(match),
      (event) => event !== undefined,
      300,
      100,
    );
    expect(found, `operator events so far: ${JSON.stringify(operatorEvents())}`).toBeDefined();
    return found!;
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    env = {
      ...(kind === "postgres" ? { DATABASE_URL: database.databaseUrl! } : { POSTHORN_DATA_DIR: database.dataDir }),
      POSTHORN_OPERATIONAL_CUSTOMER_ID: OPS,
      POSTHORN_RETRY_SCHEDULE: "1,1",
      POSTHORN_RETRY_JITTER: "0",
      POSTHORN_POLL_INTERVAL_MS: "200",
      POSTHORN_LEASE_SECONDS: "3",
      POSTHORN_LOG_LEVEL: "info",
    };
    await start();
    ops = await receiver();
    opsSecret = (await client.subscribe({ customerId: OPS, endpointUrl: ops.url })).secret;
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await server?.stop("SIGKILL");
    await Promise.all(receivers.map((r) => r.close()));
    await database?.drop();
  });

  it("410 Gone, an endpoint failing until attempts run out and a rotation reach the operator, signed; nothing about the operator's own failing endpoint", async () => {
    // The operator's second endpoint always fails: its deliveries are exhausted, and no event says so.
    const opsFailing = await receiver((_q, _i, r) => void r.writeHead(500).end("ops down"));
    await client.subscribe({ customerId: OPS, endpointUrl: opsFailing.url });

    const gone = await receiver((_q, _i, r) => void r.writeHead(410).end("gone"));
    const goneSub = (await client.subscribe({ customerId: "cus_gone", endpointUrl: gone.url })).subscription!;
    const goneEvent = (await client.emit({ type: "lead.created", customerId: "cus_gone", data: { n: 1 } })).event!;

    const failing = await receiver((_q, _i, r) => void r.writeHead(500).end("down"));
    const failingSub = (await client.subscribe({ customerId: "cus_failing", endpointUrl: failing.url })).subscription!;
    const failingEvent = (await client.emit({ type: "deal.won", customerId: "cus_failing", data: { n: 2 } })).event!;

    const beforeRotation = Math.floor(Date.now() / 1000);
    await client.rotateSubscriptionSecret({ id: failingSub.id, gracePeriodSeconds: 3600 });
    const afterRotation = Math.ceil(Date.now() / 1000);

    const disabled = await waitForOperatorEvent((e) => e.type === "endpoint.disabled");
    expect(disabled.customerId).toBe(OPS);
    expect(disabled.data).toMatchObject({
      subscription_id: goneSub.id,
      customer_id: "cus_gone",
      endpoint_url: gone.url,
      reason: "endpoint returned 410 Gone",
      failing_since: null,
      canceled_deliveries: 0,
    });

    const goneExhausted = await waitForOperatorEvent((e) => e.type === "delivery.exhausted" && e.data.event_id === goneEvent.id);
    expect(goneExhausted.data).toMatchObject({ subscription_id: goneSub.id, customer_id: "cus_gone", event_type: "lead.created", attempts: 1 });
    expect(goneExhausted.data.final_reason).toMatch(/410/);

    const failingExhausted = await waitForOperatorEvent((e) => e.type === "delivery.exhausted" && e.data.event_id === failingEvent.id);
    expect(failingExhausted.data).toMatchObject({
      subscription_id: failingSub.id,
      customer_id: "cus_failing",
      endpoint_url: failing.url,
      event_type: "deal.won",
      attempts: 3,
      final_reason: "attempts exhausted (3 of 3); last: status 500",
    });
    expect(failing.requests).toHaveLength(3);
    const [failingDelivery] = await allDeliveries(client, { customerId: "cus_failing" });
    expect(failingExhausted.data.delivery_id).toBe(failingDelivery!.id);

    const rotated = await waitForOperatorEvent((e) => e.type === "secret.rotated");
    expect(rotated.data).toMatchObject({ subscription_id: failingSub.id, customer_id: "cus_failing", endpoint_url: failing.url });
    const rotatedAt = rotated.data.rotated_at as number;
    expect(rotatedAt).toBeGreaterThanOrEqual(beforeRotation);
    expect(rotatedAt).toBeLessThanOrEqual(afterRotation);
    expect(rotated.data.previous_secret_expires_at).toBe(rotatedAt + 3600);

    // The operator's failing endpoint used up all 3 attempts of each of the 4 events...
    await opsFailing.waitFor(4 * 3, 60_000);
    const opsDeliveries = await eventually(
      () => allDeliveries(client, { customerId: OPS }),
      (all) => all.length === 8 && all.every((d) => d.state !== DeliveryState.PENDING),
      300,
      100,
    );
    expect(opsDeliveries.filter((d) => d.state === DeliveryState.FAILED)).toHaveLength(4);
    // ...and yet the operator has exactly the 4 events about its customers, each received once.
    const { events } = await client.listEvents({ customerId: OPS, view: EventView.FULL });
    expect(events.map((e) => e.type).sort()).toEqual(["delivery.exhausted", "delivery.exhausted", "endpoint.disabled", "secret.rotated"]);
    expect(operatorEvents().map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(new Set(ops.requests.map((r) => String(r.headers["dealix-event-id"]))).size).toBe(ops.requests.length);
    expect(operatorEvents().every((e) => e.data.customer_id !== OPS)).toBe(true);
  });

  it("a delivery whose last attempt dies with its process (SIGKILL) is failed by the next process's sweeper, and reported in that transaction", async () => {
    const held: ServerResponse[] = [];
    // Attempts 1 and 2 fail; the 3rd (the last of the schedule) is held until the process is killed.
    const crash = await receiver((request, _i, response) => {
      if (request.headers["dealix-delivery-attempt"] === "3") held.push(response);
      else response.writeHead(503).end("busy");
    });
    const crashSub = (await client.subscribe({ customerId: "cus_crash", endpointUrl: crash.url })).subscription!;
    const crashEvent = (await client.emit({ type: "demo.booked", customerId: "cus_crash", data: { n: 3 } })).event!;
    await crash.waitFor(3, 60_000);
    client.close();
    await server.stop("SIGKILL");
    await start();

    const exhausted = await waitForOperatorEvent((e) => e.type === "delivery.exhausted" && e.data.event_id === crashEvent.id);
    expect(exhausted.data).toMatchObject({
      subscription_id: crashSub.id,
      customer_id: "cus_crash",
      attempts: 3,
      final_reason: "attempts exhausted (3 of 3); last: abandoned",
    });
    const [delivery] = await allDeliveries(client, { customerId: "cus_crash" });
    expect(delivery!.state).toBe(DeliveryState.FAILED);
    expect(delivery!.attemptCount).toBe(3);
    expect(crash.requests).toHaveLength(3);
    for (const response of held) response.destroy();
  });

  it("an exhausted event exists exactly for each failed delivery of a customer", async () => {
    const failed = await allDeliveries(client, { state: DeliveryState.FAILED });
    const customers = failed.filter((d) => d.customerId !== OPS).map((d) => d.id).sort();
    const { events } = await client.listEvents({ customerId: OPS, type: "delivery.exhausted", view: EventView.FULL });
    const reported = events.map((e) => (e.data!.delivery_id as string)).sort();
    expect(customers).toHaveLength(3);
    expect(reported).toEqual(customers);
  });
});
