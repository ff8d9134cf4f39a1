import { afterEach, describe, expect, it } from "vitest";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import pino from "pino";
import { EndpointHealth } from "@posthorn/proto";
import { DeliveryState, status, type Event } from "@posthorn/sdk";
import { verifySignature } from "@posthorn/verifier";
import { checkEndpointHealth, type HealthCheckOutcome } from "../../server/src/delivery/endpoint-health-monitor.js";
import { openStore, type Store } from "../../server/src/store/database.js";
import { expectError } from "../api/expect-error.js";
import { STORES } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { startTestApp } from "../helpers/test-app.js";

const HOUR = 3_600_000;
const OPS = "cus_ops";

/**
 * One app (workers on, fake clock) per test: a customer endpoint that answers 500 (or what
 * `answer` says), and the operator's endpoint (200) that gets the operational events. Every
 * delivery gets one attempt now and the next in 7 days (retryJitter 0), so each emit is one
 * failed attempt and its delivery stays pending.
 */
async function world(kind: "pglite" | "postgres", settings: Record<string, unknown> = {}) {
  let answer = 500;
  const customer = await startReceiver((_q, _i, r) => void r.writeHead(answer).end("down"));
  const ops = await startReceiver();
  const t = await startTestApp(kind, {
    workers: true,
    operationalCustomerId: OPS,
    retrySchedule: [7 * 86400],
    retryJitter: 0,
    ...settings,
  });
  const base = t.clock.nowMs();
  const opsSub = await t.client.subscribe({ customerId: OPS, endpointUrl: ops.url });
  const sub = await t.client.subscribe({ customerId: "cus_a", endpointUrl: customer.url, eventTypes: ["deal.lost"] });
  const subscriptionId = sub.subscription!.id;
  const logger = pino({ level: "silent" });
  return {
    t,
    base,
    customer,
    ops,
    opsSecret: opsSub.secret,
    subscriptionId,
    answer: (status: number) => void (answer = status),
    /** At `base + hours`, emits one event to the customer and waits for its attempt. */
    async attemptAt(hours: number): Promise<void> {
      t.clock.set(base + hours * HOUR);
      const before = customer.requests.length;
      await t.client.emit({ type: "deal.lost", customerId: "cus_a", data: {} });
      await customer.waitFor(before + 1);
      await t.app.engine!.idle();
    },
    /** The health check at `base + hours`, as the engine runs it every minute (or on `store`). */
    async checkAt(hours: number, store: Store = t.app.store): Promise<HealthCheckOutcome> {
      t.clock.set(base + hours * HOUR);
      return checkEndpointHealth({ store, config: t.app.config, clock: t.clock, logger, metrics: t.app.metrics, onDue: () => t.app.engine!.wake() });
    },
    async subscription() {
      return (await t.client.getSubscription({ id: subscriptionId })).subscription!;
    },
    /** The operational events stored for the operator, of `type`, about the subscription. */
    async operational(type: string): Promise<Event[]> {
      const { events } = await t.client.listEvents({ customerId: OPS, type, pageSize: 100 });
      return events.filter((event) => (event.data as { subscription_id?: string }).subscription_id === subscriptionId);
    },
    async close() {
      await t.close();
      await Promise.all([customer.close(), ops.close()]);
    },
  };
}

describe.each(STORES)("endpoint health (%s)", (kind) => {
  let w: Awaited<ReturnType<typeof world>> | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("failing 24 h: FAILING and endpoint.failing, signed, to the operator; failing 5 days with enough spread attempts: disabled, pending canceled, endpoint.disabled", async () => {
    w = await world(kind);
    await w.attemptAt(0);
    let sub = await w.subscription();
    expect(sub.health).toBe(EndpointHealth.DEGRADED);
    expect(timestampDate(sub.failingSinceTime!).getTime()).toBe(w.base);
    await w.attemptAt(12);
    expect((await w.checkAt(23)).warned).toEqual([]);
    expect((await w.subscription()).health).toBe(EndpointHealth.DEGRADED);
    await w.attemptAt(24);
    expect((await w.checkAt(24)).warned).toEqual([w.subscriptionId]);
    sub = await w.subscription();
    expect(sub.health).toBe(EndpointHealth.FAILING);
    const [failing, ...more] = await w.operational("endpoint.failing");
    expect(more).toEqual([]);
    expect(failing!.data).toEqual({
      subscription_id: w.subscriptionId,
      customer_id: "cus_a",
      endpoint_url: w.customer.url,
      failing_since: w.base / 1000,
      failed_attempts: 3,
      disable_at: w.base / 1000 + 120 * 3600,
    });
    // Delivered to the operator's endpoint like any event, and verifiable with its secret.
    const [request] = await w.ops.waitFor(1);
    expect(JSON.parse(request!.body.toString())).toMatchObject({ type: "endpoint.failing", customer_id: OPS, id: failing!.id });
    const header = String(request!.headers["dealix-signature"]);
    expect(verifySignature({ payload: request!.body, header, secrets: [w.opsSecret], now: w.t.clock.nowMs() / 1000 }).ok).toBe(true);
    // Warned once.
    expect((await w.checkAt(30)).warned).toEqual([]);

    for (let hours = 36; hours <= 120; hours += 12) await w.attemptAt(hours); // 11 failed attempts in all
    expect((await w.checkAt(119.9)).disabled).toEqual([]);
    expect((await w.checkAt(120)).disabled).toEqual([w.subscriptionId]);
    sub = await w.subscription();
    expect(sub.enabled).toBe(false);
    expect(sub.health).toBe(EndpointHealth.DISABLED);
    const reason = "every attempt failed for 5 days (11 attempts since 2026-11-29T12:00:00Z)";
    expect(sub.disabledReason).toBe(reason);
    const { deliveries } = await w.t.client.listDeliveries({ subscriptionId: w.subscriptionId, pageSize: 100 });
    expect(deliveries).toHaveLength(11);
    for (const delivery of deliveries) {
      expect(delivery.state).toBe(DeliveryState.CANCELED);
      expect(delivery.finalReason).toBe(`subscription disabled: ${reason}`);
    }
    const [disabled] = await w.operational("endpoint.disabled");
    expect(disabled!.data).toEqual({
      subscription_id: w.subscriptionId,
      customer_id: "cus_a",
      endpoint_url: w.customer.url,
      reason,
      failing_since: w.base / 1000,
      canceled_deliveries: 11,
      disabled_at: w.base / 1000 + 120 * 3600,
    });
    expect((await w.checkAt(121)).disabled).toEqual([]);
    expect(await w.operational("endpoint.disabled")).toHaveLength(1);
  });

  it("a success inside the window ends the spell (endpoint.recovered after the warning): no disable at day 5", async () => {
    w = await world(kind);
    for (let hours = 0; hours <= 48; hours += 6) await w.attemptAt(hours);
    expect((await w.checkAt(48)).warned).toEqual([w.subscriptionId]);
    w.answer(200);
    await w.attemptAt(60);
    let sub = await w.subscription();
    expect(sub.health).toBe(EndpointHealth.HEALTHY);
    expect(sub.failingSinceTime).toBeUndefined();
    const [recovered] = await w.operational("endpoint.recovered");
    expect(recovered!.data).toEqual({
      subscription_id: w.subscriptionId,
      customer_id: "cus_a",
      endpoint_url: w.customer.url,
      failing_since: w.base / 1000,
      recovered_at: w.base / 1000 + 60 * 3600,
    });
    w.answer(500);
    for (let hours = 66; hours <= 126; hours += 6) await w.attemptAt(hours);
    const outcome = await w.checkAt(126);
    expect(outcome.disabled).toEqual([]);
    sub = await w.subscription();
    expect(sub.enabled).toBe(true);
    expect(timestampDate(sub.failingSinceTime!).getTime()).toBe(w.base + 66 * HOUR);
    expect(sub.health).toBe(EndpointHealth.FAILING); // the new spell is 60 h old: warned again
    expect(await w.operational("endpoint.failing")).toHaveLength(2);
  });

  it("too few attempts, or a burst and then nothing: not disabled", async () => {
    w = await world(kind);
    await w.attemptAt(0);
    await w.attemptAt(1);
    await w.attemptAt(119.5);
    expect((await w.checkAt(125)).disabled).toEqual([]);
    expect(await w.subscription()).toMatchObject({ enabled: true, health: EndpointHealth.FAILING });
    // A new URL is another endpoint: its record starts afresh.
    const moved = await w.t.client.updateSubscription({
      subscription: { id: w.subscriptionId, endpointUrl: `${w.customer.url}?v=2` },
      updateMask: { paths: ["endpoint_url"] },
    });
    expect(moved.subscription!.health).toBe(EndpointHealth.HEALTHY);
    expect(moved.subscription!.failingSinceTime).toBeUndefined();

    // 12 attempts in the first hour, then no traffic: the latest failure is days old.
    w = (await w.close(), await world(kind));
    for (let n = 0; n < 12; n++) await w.attemptAt(n / 12);
    const outcome = await w.checkAt(125);
    expect(outcome.disabled).toEqual([]);
    expect(outcome.warned).toEqual([w.subscriptionId]);
    const sub = await w.subscription();
    expect(sub.enabled).toBe(true);
    expect(sub.health).toBe(EndpointHealth.FAILING);
  });

  it("re-enable clears the record; RecoverFailedDeliveries brings back canceled, failed and missed events (disabled: FAILED_PRECONDITION)", async () => {
    w = await world(kind, { endpointDisableAfterHours: 48, endpointDisableMinAttempts: 3 });
    await w.attemptAt(0);
    await w.attemptAt(12);
    w.answer(404); // a final status: this delivery fails for good
    await w.attemptAt(24);
    w.answer(500);
    await w.attemptAt(47);
    expect((await w.checkAt(48)).disabled).toEqual([w.subscriptionId]);
    const since = timestampFromMs(w.base - HOUR);
    await expectError(w.t.client.recoverFailedDeliveries({ subscriptionId: w.subscriptionId, since }), status.FAILED_PRECONDITION, /is disabled; enable it .*first/);

    // Emitted while disabled: two that match, one of another type.
    w.t.clock.set(w.base + 50 * HOUR);
    for (const type of ["deal.lost", "deal.lost", "lead.created"]) {
      expect((await w.t.client.emit({ type, customerId: "cus_a", data: {} })).matchedSubscriptions).toBe(0);
    }
    const enabled = await w.t.client.updateSubscription({
      subscription: { id: w.subscriptionId, enabled: true },
      updateMask: { paths: ["enabled"] },
    });
    expect(enabled.subscription).toMatchObject({ enabled: true, disabledReason: "", health: EndpointHealth.HEALTHY });
    expect(enabled.subscription!.failingSinceTime).toBeUndefined();

    w.answer(200);
    const before = w.customer.requests.length;
    const recovery = await w.t.client.recoverFailedDeliveries({ subscriptionId: w.subscriptionId, since });
    expect(recovery).toMatchObject({ recoveredDeliveries: 4, createdDeliveries: 2, skippedPayloadExpiredDeliveries: 0 });
    await w.customer.waitFor(before + 6);
    await w.t.app.engine!.idle();
    const { deliveries } = await w.t.client.listDeliveries({ subscriptionId: w.subscriptionId, pageSize: 100 });
    expect(deliveries.map((d) => d.state)).toEqual(Array(6).fill(DeliveryState.SUCCEEDED));
    // A second recovery finds nothing left.
    expect(await w.t.client.recoverFailedDeliveries({ subscriptionId: w.subscriptionId, since })).toMatchObject({
      recoveredDeliveries: 0,
      createdDeliveries: 0,
    });
  });

  it("two processes (pools) checking at once: one warning, one disable", async () => {
    w = await world(kind, { endpointDisableAfterHours: 48, endpointDisableMinAttempts: 3 });
    for (const hours of [0, 12, 24, 36, 47]) await w.attemptAt(hours);
    // On PostgreSQL a second pool, as another process has; PGlite has one connection per folder.
    const other = kind === "postgres" ? await openStore({ databaseUrl: w.t.database.databaseUrl, dataDir: w.t.database.dataDir }) : w.t.app.store;
    try {
      const warnings = await Promise.all([w.checkAt(30), w.checkAt(30, other), w.checkAt(30)]);
      expect(warnings.flatMap((o) => o.warned)).toEqual([w.subscriptionId]);
      expect(await w.operational("endpoint.failing")).toHaveLength(1);
      const disables = await Promise.all([w.checkAt(48, other), w.checkAt(48), w.checkAt(48, other)]);
      expect(disables.flatMap((o) => o.disabled)).toEqual([w.subscriptionId]);
      expect(await w.operational("endpoint.disabled")).toHaveLength(1);
    } finally {
      if (other !== w.t.app.store) await other.close();
    }
  });
});
