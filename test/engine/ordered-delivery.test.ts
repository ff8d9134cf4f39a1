import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryState, type Delivery } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startOrderedReceiver, type OrderedReceiver } from "../helpers/ordered-receiver.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/** Ordered delivery (store/ordered-turns.ts) with in-process workers and a fake clock, on each store. */
describe.each(STORES)("ordered delivery (%s)", (kind) => {
  let t: TestApp;
  const receivers: (OrderedReceiver | Receiver)[] = [];
  let customer = 0;
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true, retrySchedule: [1, 1, 1], attemptTimeoutMs: 2000 });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => ("receiver" in r ? r.receiver : r).close()));
  });
  afterAll(async () => {
    await t.close();
  });

  /** Lets the workers finish what is due, then moves the clock 2 s (past any retry delay of the 1 s schedule), until `done`. */
  async function drive(done: () => boolean, rounds = 100): Promise<void> {
    for (let round = 0; round < rounds && !done(); round++) {
      await t.app.engine!.idle();
      if (done()) return;
      t.clock.advance(2000);
      t.app.engine!.wake();
    }
    await t.app.engine!.idle();
  }

  async function deliveriesOf(subscriptionId: string): Promise<Delivery[]> {
    return (await t.client.listDeliveries({ subscriptionId, pageSize: 1000 })).deliveries;
  }

  /** Pending deliveries of the subscription that are active (due or in flight) rather than waiting. */
  async function activeOf(subscriptionId: string): Promise<Delivery[]> {
    return (await deliveriesOf(subscriptionId)).filter((d) => d.state === DeliveryState.PENDING && d.nextAttemptTime !== undefined);
  }

  async function emit(customerId: string, n: number): Promise<string> {
    return (await t.client.emit({ type: "lead.created", customerId, data: { n } })).event!.id;
  }

  it("delivers in emit order, one at a time; a failing head holds the rest for its retries and nothing is skipped; other endpoints are not held", async () => {
    const customerId = `cus_ord_${customer++}`;
    const ordered = await startOrderedReceiver({ status: (_id, nth, data) => (data.n === 0 && nth <= 2 ? 500 : 200), delayMs: 20 });
    const other = await startReceiver();
    receivers.push(ordered, other);
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url, ordered: true });
    await t.client.subscribe({ customerId, endpointUrl: other.url });

    const head = await emit(customerId, 0);
    const ids = [head];
    for (let n = 1; n < 4; n++) ids.push(await emit(customerId, n));
    const { results } = await t.client.emitBatch({
      events: Array.from({ length: 6 }, (_, i) => ({ type: "lead.created", customerId, data: { n: 4 + i } })),
    });
    ids.push(...results.map((r) => r.event!.id));

    // The head failed once; the other nine wait (pending, no due time) and are not claimed.
    await t.app.engine!.idle();
    const waiting = await deliveriesOf(subscription!.id);
    expect(waiting.map((d) => d.eventId)).toEqual(ids);
    expect(waiting.every((d) => d.state === DeliveryState.PENDING)).toBe(true);
    expect(waiting.filter((d) => d.nextAttemptTime !== undefined).map((d) => d.eventId)).toEqual([head]);
    expect(ordered.arrivals).toEqual([head]);
    // The unordered endpoint of the same customer got all ten meanwhile.
    await other.waitFor(10);

    await drive(() => ordered.firstReceipts.length === ids.length);
    expect(ordered.firstReceipts).toEqual(ids);
    expect(ordered.arrivals).toEqual([head, head, ...ids]);
    expect(ordered.maxInFlight()).toBe(1);
    const done = await deliveriesOf(subscription!.id);
    expect(done.map((d) => d.state)).toEqual(ids.map(() => DeliveryState.SUCCEEDED));
    expect(done[0]!.attemptCount).toBe(3);
  });

  it("a delivery failed for good lets the next go; a retried one waits for its turn and goes before later ones", async () => {
    const customerId = `cus_ord_${customer++}`;
    let up = false;
    let gone = true;
    const ordered = await startOrderedReceiver({ status: (_id, _nth, data) => (gone && data.n === 0 ? 404 : up ? 200 : 500) });
    receivers.push(ordered);
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url, ordered: true });
    const a = await emit(customerId, 0);
    const b = await emit(customerId, 1);
    await t.app.engine!.idle();
    // A got a final 404 (failed for good): B went next, and is retrying (500); C waits.
    const c = await emit(customerId, 2);
    await t.app.engine!.idle();
    expect(ordered.arrivals).toEqual([a, b]);
    let rows = await deliveriesOf(subscription!.id);
    expect(rows.map((d) => [d.state, d.nextAttemptTime !== undefined])).toEqual([
      [DeliveryState.FAILED, false],
      [DeliveryState.PENDING, true],
      [DeliveryState.PENDING, false],
    ]);

    // Retrying A while B is active: A waits (no due time), ahead of C (emit order).
    gone = false;
    const retried = await t.client.retryDelivery({ id: rows[0]!.id });
    expect(retried.delivery!.state).toBe(DeliveryState.PENDING);
    expect(retried.delivery!.nextAttemptTime).toBeUndefined();
    expect((await activeOf(subscription!.id)).map((d) => d.eventId)).toEqual([b]);
    // Retrying a waiting one again changes nothing: it keeps its place.
    expect((await t.client.retryDelivery({ id: rows[0]!.id })).delivery!.nextAttemptTime).toBeUndefined();
    // A test event takes its turn too: it waits, after C.
    const test = await t.client.sendTestEvent({ subscriptionId: subscription!.id });
    expect(test.delivery!.nextAttemptTime).toBeUndefined();

    up = true;
    await drive(() => ordered.firstReceipts.length === 4);
    expect(ordered.firstReceipts).toEqual([b, a, c, test.event!.id]);
    expect(ordered.maxInFlight()).toBe(1);
    rows = (await deliveriesOf(subscription!.id)).slice(0, 3);
    expect(rows.map((d) => d.state)).toEqual([DeliveryState.SUCCEEDED, DeliveryState.SUCCEEDED, DeliveryState.SUCCEEDED]);

    // Retrying a finished delivery with nothing active: due at once.
    const again = await t.client.retryDelivery({ id: rows[2]!.id });
    expect(again.delivery!.nextAttemptTime).toBeDefined();
    await drive(() => ordered.arrivals.length === 7);
    expect(ordered.arrivals.at(-1)).toBe(c);
  });

  it("ordered off: the waiting ones are due at once; on again: those pending stay active and new ones wait until all of them ended", async () => {
    const customerId = `cus_ord_${customer++}`;
    let up = false;
    const ordered = await startOrderedReceiver({ status: () => (up ? 200 : 500) });
    receivers.push(ordered);
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url, ordered: true });
    const id = subscription!.id;
    const first = [await emit(customerId, 0), await emit(customerId, 1), await emit(customerId, 2)];
    await t.app.engine!.idle();
    expect((await activeOf(id)).map((d) => d.eventId)).toEqual([first[0]]);

    const off = await t.client.updateSubscription({ subscription: { id, ordered: false }, updateMask: { paths: ["ordered"] } });
    expect(off.subscription!.ordered).toBe(false);
    expect((await activeOf(id)).map((d) => d.eventId)).toEqual(first);
    await t.app.engine!.idle();
    // The head (retrying, due later) is not sent again yet; the other two are sent now.
    expect([...ordered.arrivals].sort()).toEqual([...first].sort());

    await t.client.updateSubscription({ subscription: { id, ordered: true }, updateMask: { paths: ["ordered"] } });
    const later = [await emit(customerId, 3), await emit(customerId, 4)];
    await t.app.engine!.idle();
    expect((await activeOf(id)).map((d) => d.eventId)).toEqual(first);
    expect(ordered.arrivals.filter((e) => later.includes(e))).toEqual([]);

    up = true;
    await drive(() => ordered.firstReceipts.length === 5);
    // The three from before may go in any order (they were not ordered); the later two follow them, in order.
    expect(ordered.firstReceipts.slice(0, 3).sort()).toEqual([...first].sort());
    expect(ordered.firstReceipts.slice(3)).toEqual(later);
    expect((await deliveriesOf(id)).every((d) => d.state === DeliveryState.SUCCEEDED)).toBe(true);
  });

  it("ordered turned on while a delivery is in flight: the repair pass lets the next one go", async () => {
    const customerId = `cus_ord_${customer++}`;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const ordered = await startOrderedReceiver({ gate: (data) => (data.n === 0 ? released : Promise.resolve()) });
    receivers.push(ordered);
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url });
    const id = subscription!.id;
    const a = await emit(customerId, 0);
    await ordered.receiver.waitFor(1);
    await t.client.updateSubscription({ subscription: { id, ordered: true }, updateMask: { paths: ["ordered"] } });
    const b = await emit(customerId, 1);
    release();
    await t.app.engine!.idle();
    // A was claimed as "not ordered", so its end looked for no successor: B is stuck waiting…
    expect(ordered.firstReceipts).toEqual([a]);
    expect((await deliveriesOf(id)).map((d) => [d.state, d.nextAttemptTime !== undefined])).toEqual([
      [DeliveryState.SUCCEEDED, false],
      [DeliveryState.PENDING, false],
    ]);
    // …until the sweeper's next repair (every 30 s).
    t.clock.advance(31_000);
    await ordered.receiver.waitFor(2, 10_000);
    expect(ordered.arrivals).toEqual([a, b]);
  });

  it("RecoverFailedDeliveries after a disable: the missed events get deliveries that wait their turn, one at a time", async () => {
    const customerId = `cus_ord_${customer++}`;
    let up = false;
    const ordered = await startOrderedReceiver({ status: () => (up ? 200 : 500) });
    receivers.push(ordered);
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url, ordered: true });
    const id = subscription!.id;
    await t.client.updateSubscription({ subscription: { id, enabled: false }, updateMask: { paths: ["enabled"] } });
    const missed = [await emit(customerId, 0), await emit(customerId, 1), await emit(customerId, 2)];
    await t.client.updateSubscription({ subscription: { id, enabled: true }, updateMask: { paths: ["enabled"] } });
    const after = await emit(customerId, 3);
    await t.app.engine!.idle();
    expect(ordered.arrivals).toEqual([after]);
    const recovered = await t.client.recoverFailedDeliveries({ subscriptionId: id, since: subscription!.createTime });
    expect(recovered.createdDeliveries).toBe(3);
    // `after` is still the one in flight (retrying); the recovered ones wait behind it.
    expect((await activeOf(id)).map((d) => d.eventId)).toEqual([after]);
    up = true;
    await drive(() => ordered.firstReceipts.length === 4);
    expect(ordered.firstReceipts).toEqual([after, ...missed]);
    expect(ordered.maxInFlight()).toBe(1);
  });

  it("concurrent emits (group commit) keep one active delivery and deliver in the stored order", async () => {
    const customerId = `cus_ord_${customer++}`;
    const ordered = await startOrderedReceiver({ delayMs: 5 });
    receivers.push(ordered);
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url, ordered: true });
    await Promise.all(Array.from({ length: 30 }, (_, n) => emit(customerId, n)));
    expect((await activeOf(subscription!.id)).length).toBeLessThanOrEqual(1);
    await drive(() => ordered.firstReceipts.length === 30);
    // Stored order (ListDeliveries: by seq) = delivery order.
    expect(ordered.firstReceipts).toEqual((await deliveriesOf(subscription!.id)).map((d) => d.eventId));
    expect(ordered.maxInFlight()).toBe(1);
  });

  it("disabling cancels the waiting ones too; RecoverFailedDeliveries brings failed ones back in order, one at a time", async () => {
    const customerId = `cus_ord_${customer++}`;
    let mode: "gone" | "up" | "down" = "gone";
    const ordered = await startOrderedReceiver({ status: () => ({ gone: 404, up: 200, down: 500 })[mode] });
    receivers.push(ordered);
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url, ordered: true });
    const id = subscription!.id;
    // Each gets a final 404 in turn: all four fail, one after the other.
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) ids.push(await emit(customerId, n));
    await drive(() => ordered.arrivals.length === 4);
    expect(ordered.arrivals).toEqual(ids);
    expect((await deliveriesOf(id)).every((d) => d.state === DeliveryState.FAILED)).toBe(true);

    mode = "up";
    const { recoveredDeliveries } = await t.client.recoverFailedDeliveries({ subscriptionId: id, since: subscription!.createTime });
    expect(recoveredDeliveries).toBe(4);
    expect((await activeOf(id)).length).toBe(1);
    await drive(() => ordered.firstReceipts.length === 4);
    expect(ordered.firstReceipts).toEqual(ids);
    expect(ordered.maxInFlight()).toBe(1);

    // Disable while one is retrying and two wait: all three canceled.
    mode = "down";
    const more = [await emit(customerId, 4), await emit(customerId, 5), await emit(customerId, 6)];
    await t.app.engine!.idle();
    const { canceledDeliveries } = await t.client.updateSubscription({ subscription: { id, enabled: false }, updateMask: { paths: ["enabled"] } });
    expect(canceledDeliveries).toBe(3);
    const rows = (await deliveriesOf(id)).filter((d) => more.includes(d.eventId));
    expect(rows.map((d) => d.state)).toEqual([DeliveryState.CANCELED, DeliveryState.CANCELED, DeliveryState.CANCELED]);
    expect(ordered.arrivals.filter((e) => more.includes(e))).toEqual([more[0]]);
  });
});
