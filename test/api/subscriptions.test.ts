import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryState, SignatureScheme, status, type Subscription } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal, UNKNOWN } from "./expect-error.js";
import { NON_PUBLIC_HINT } from "../../server/src/api/validate.js";

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const DAY_S = 86_400;
/** Marks a row of a bad-input table that must be accepted (the boundary value). */
const ACCEPTED = /accepted/;

describe.each(STORES)("subscriptions (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("Subscribe returns the subscription with defaults and a whsec_ secret of 32 random bytes", async () => {
    const nowSeconds = BigInt(t.clock.nowMs() / 1000);
    const a = await t.client.subscribe({ customerId: "cus_sub", endpointUrl: "HTTPS://Hooks.Example.COM:443/in?x=1" });
    expect(a.secret).toMatch(SECRET);
    expect(Buffer.from(a.secret.slice("whsec_".length), "base64")).toHaveLength(32);
    expect(a.subscription).toMatchObject({
      customerId: "cus_sub",
      endpointUrl: "https://hooks.example.com/in?x=1",
      eventTypes: [],
      enabled: true,
      description: "",
      signatureScheme: SignatureScheme.V1,
      disabledReason: "",
    });
    expect(a.subscription!.id).toMatch(/^sub_[0-9a-f]{24}$/);
    expect(a.subscription!.createTime!.seconds).toBe(nowSeconds);
    expect(a.subscription!.updateTime).toEqual(a.subscription!.createTime);
    expect(a.subscription!.previousSecretExpireTime).toBeUndefined();

    const b = await t.client.subscribe({
      customerId: "cus_sub",
      endpointUrl: "http://127.0.0.1:9/hook",
      eventTypes: ["deal.won", "deal.lost"],
      description: "CRM sync",
      signatureScheme: SignatureScheme.STANDARD_WEBHOOKS,
      enabled: false,
    });
    expect(b.secret).not.toBe(a.secret);
    expect(b.subscription).toMatchObject({
      eventTypes: ["deal.won", "deal.lost"],
      description: "CRM sync",
      signatureScheme: SignatureScheme.STANDARD_WEBHOOKS,
      enabled: false,
    });

    expect((await t.client.getSubscription({ id: a.subscription!.id })).subscription).toEqual(a.subscription);
    expect((await t.client.getSubscription({ id: b.subscription!.id })).subscription).toEqual(b.subscription);
    const { subscriptions, nextPageToken } = await t.client.listSubscriptions({ customerId: "cus_sub" });
    expect(subscriptions).toEqual([a.subscription, b.subscription]);
    expect(nextPageToken).toBe("");
  });

  it("Subscribe refuses bad URLs, event types, descriptions and schemes", async () => {
    const base = { customerId: "cus_sub_bad", endpointUrl: "https://example.com/h" };
    const cases: [object, RegExp][] = [
      [{ endpointUrl: "" }, literal("endpoint_url: is required")],
      [{ endpointUrl: "/relative/path" }, /^endpoint_url: is not an absolute URL/],
      [{ endpointUrl: "example.com/h" }, /^endpoint_url: is not an absolute URL/],
      [{ endpointUrl: "ftp://example.com/h" }, literal("endpoint_url: must use http or https, got ftp")],
      [{ endpointUrl: "https://user:pw@example.com/h" }, /^endpoint_url: must not contain a user:password part/],
      [{ endpointUrl: "https://user@example.com/h" }, /^endpoint_url: must not contain a user:password part/],
      [{ endpointUrl: "https://example.com/h#frag" }, /^endpoint_url: must not contain a #fragment/],
      [{ endpointUrl: "https://example.com/" + "a".repeat(2048 - 20) }, ACCEPTED],
      [{ endpointUrl: "https://example.com/" + "a".repeat(2049 - 20) }, literal("endpoint_url: must be at most 2048 characters, got 2049")],
      [{ endpointUrl: "http://10.0.0.1/h" }, literal("endpoint_url: address 10.0.0.1 is not allowed; " + NON_PUBLIC_HINT)],
      [{ endpointUrl: "http://169.254.169.254/latest/meta-data" }, literal("endpoint_url: address 169.254.169.254 is not allowed; " + NON_PUBLIC_HINT)],
      [{ endpointUrl: "http://[::1]:8080/h" }, literal("endpoint_url: address ::1 is not allowed; " + NON_PUBLIC_HINT)],
      [{ endpointUrl: "http://[::ffff:10.0.0.1]/h" }, /^endpoint_url: address ::ffff:a00:1 is not allowed; deliveries go to public addresses only/],
      [{ endpointUrl: "http://0x0a.0.0.1/h" }, literal("endpoint_url: address 10.0.0.1 is not allowed; " + NON_PUBLIC_HINT)],
      [{ endpointUrl: "http://192.168.1.1./h" }, literal("endpoint_url: address 192.168.1.1 is not allowed; " + NON_PUBLIC_HINT)],
      [{ customerId: "" }, literal("customer_id: is required")],
      [{ customerId: "x".repeat(256) }, literal("customer_id: must be at most 255 characters, got 256")],
      [{ eventTypes: ["lead.created", "nope"] }, literal('event_types[1]: unknown event type "nope"; ListEventTypes returns the accepted ones')],
      [{ eventTypes: ["lead.created", "lead.created"] }, literal('event_types[1]: repeats "lead.created"')],
      [{ eventTypes: [""] }, literal("event_types[0]: is required")],
      [{ description: "d".repeat(1025) }, literal("description: must be at most 1024 characters, got 1025")],
      [{ signatureScheme: 7 }, literal("signature_scheme: unknown signature scheme 7")],
    ];
    for (const [patch, message] of cases) {
      if (message === ACCEPTED) {
        // The longest accepted URL is accepted.
        const { subscription } = await t.client.subscribe({ ...base, ...patch });
        expect(subscription!.endpointUrl).toHaveLength(2048);
        await t.client.deleteSubscription({ id: subscription!.id });
        continue;
      }
      await expectError(t.client.subscribe({ ...base, ...patch }), status.INVALID_ARGUMENT, message);
    }
    await t.client.subscribe({ ...base, description: "d".repeat(1024) });
    expect((await t.client.listSubscriptions({ customerId: "cus_sub_bad" })).subscriptions).toHaveLength(1);
  });

  it("UpdateSubscription changes exactly the masked fields", async () => {
    const { subscription: created, secret } = await t.client.subscribe({ customerId: "cus_upd", endpointUrl: "https://example.com/one", description: "keep" });
    t.clock.advance(5000);
    const { subscription: updated, canceledDeliveries } = await t.client.updateSubscription({
      subscription: {
        id: created!.id,
        endpointUrl: "https://example.com/two",
        eventTypes: ["lead.created"],
        description: "not in the mask",
        signatureScheme: SignatureScheme.STANDARD_WEBHOOKS,
        customerId: "cus_someone_else",
      },
      updateMask: { paths: ["endpoint_url", "event_types", "signature_scheme"] },
    });
    expect(canceledDeliveries).toBe(0);
    expect(updated).toMatchObject({
      id: created!.id,
      customerId: "cus_upd",
      endpointUrl: "https://example.com/two",
      eventTypes: ["lead.created"],
      description: "keep",
      signatureScheme: SignatureScheme.STANDARD_WEBHOOKS,
      enabled: true,
    });
    expect(updated!.createTime).toEqual(created!.createTime);
    expect(updated!.updateTime!.seconds).toBe(created!.createTime!.seconds + 5n);
    expect((await t.client.getSubscription({ id: created!.id })).subscription).toEqual(updated);

    // Clearing the event types (an empty list) is a change too.
    const cleared = await t.client.updateSubscription({ subscription: { id: created!.id, eventTypes: [] }, updateMask: { paths: ["event_types"] } });
    expect(cleared.subscription!.eventTypes).toEqual([]);
    expect(secret).toMatch(SECRET);
  });

  it("UpdateSubscription refuses bad masks and values, changing nothing", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_upd_bad", endpointUrl: "https://example.com/h" });
    const id = subscription!.id;
    const cases: [object, status, RegExp][] = [
      [{ subscription: { id }, updateMask: { paths: [] } }, status.INVALID_ARGUMENT, /^update_mask: must name at least one of endpoint_url, event_types, enabled, description, signature_scheme, rate_limit_per_second, rate_limit_burst, ordered$/],
      [{ subscription: { id } }, status.INVALID_ARGUMENT, /^update_mask: must name at least one of/],
      [{ subscription: { id, description: "x" }, updateMask: { paths: ["description", "customer_id"] } }, status.INVALID_ARGUMENT, /^update_mask\.paths\[1\]: "customer_id" cannot be updated; use endpoint_url, /],
      [{ subscription: { id }, updateMask: { paths: ["secret"] } }, status.INVALID_ARGUMENT, /^update_mask\.paths\[0\]: "secret" cannot be updated/],
      [{ subscription: { id, endpointUrl: "http://10.1.2.3/" }, updateMask: { paths: ["endpoint_url"] } }, status.INVALID_ARGUMENT, literal("subscription.endpoint_url: address 10.1.2.3 is not allowed; " + NON_PUBLIC_HINT)],
      [{ subscription: { id, endpointUrl: "" }, updateMask: { paths: ["endpoint_url"] } }, status.INVALID_ARGUMENT, literal("subscription.endpoint_url: is required")],
      [{ subscription: { id, eventTypes: ["x.y"] }, updateMask: { paths: ["event_types"] } }, status.INVALID_ARGUMENT, /^subscription\.event_types\[0\]: unknown event type "x.y"/],
      [{ subscription: { id, description: "d".repeat(1025) }, updateMask: { paths: ["description"] } }, status.INVALID_ARGUMENT, /^subscription\.description: must be at most 1024/],
      [{ subscription: { id, signatureScheme: 9 }, updateMask: { paths: ["signature_scheme"] } }, status.INVALID_ARGUMENT, literal("subscription.signature_scheme: unknown signature scheme 9")],
      [{ updateMask: { paths: ["enabled"] } }, status.INVALID_ARGUMENT, /^subscription: is required/],
      [{ subscription: { id: "sub_nope" }, updateMask: { paths: ["enabled"] } }, status.INVALID_ARGUMENT, /^subscription\.id: is not a subscription id/],
      [{ subscription: { id: UNKNOWN.subscription }, updateMask: { paths: ["enabled"] } }, status.NOT_FOUND, literal(`subscription "${UNKNOWN.subscription}" not found`)],
    ];
    for (const [request, code, message] of cases) await expectError(t.client.updateSubscription(request), code, message);
    expect((await t.client.getSubscription({ id })).subscription).toEqual(subscription);
  });

  it("disabling cancels pending deliveries; re-enabling matches again", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_dis", endpointUrl: "https://example.com/h" });
    const keep = (await t.client.subscribe({ customerId: "cus_dis", endpointUrl: "https://example.com/keep" })).subscription!;
    await t.client.emit({ type: "lead.created", customerId: "cus_dis" });
    await t.client.emit({ type: "lead.qualified", customerId: "cus_dis" });
    t.clock.advance(1000);

    const off = await t.client.updateSubscription({ subscription: { id: subscription!.id, enabled: false }, updateMask: { paths: ["enabled"] } });
    expect(off.canceledDeliveries).toBe(2);
    expect(off.subscription!.enabled).toBe(false);
    const { deliveries } = await t.client.listDeliveries({ subscriptionId: subscription!.id });
    expect(deliveries.map((d) => [d.state, d.finalReason, d.nextAttemptTime])).toEqual([
      [DeliveryState.CANCELED, "subscription disabled", undefined],
      [DeliveryState.CANCELED, "subscription disabled", undefined],
    ]);
    expect(deliveries[0]!.updateTime!.seconds).toBe(BigInt(t.clock.nowMs() / 1000));
    // The other subscription's deliveries stay pending.
    expect((await t.client.listDeliveries({ subscriptionId: keep.id, state: DeliveryState.PENDING })).deliveries).toHaveLength(2);

    // Disabling again cancels nothing more; disabled gets no new deliveries.
    const again = await t.client.updateSubscription({ subscription: { id: subscription!.id, enabled: false }, updateMask: { paths: ["enabled"] } });
    expect(again.canceledDeliveries).toBe(0);
    expect((await t.client.emit({ type: "lead.created", customerId: "cus_dis" })).matchedSubscriptions).toBe(1);

    const on = await t.client.updateSubscription({ subscription: { id: subscription!.id, enabled: true }, updateMask: { paths: ["enabled"] } });
    expect(on.canceledDeliveries).toBe(0);
    expect(on.subscription!.enabled).toBe(true);
    expect((await t.client.emit({ type: "lead.created", customerId: "cus_dis" })).matchedSubscriptions).toBe(2);
    expect((await t.client.listDeliveries({ subscriptionId: subscription!.id, state: DeliveryState.PENDING })).deliveries).toHaveLength(1);
  });

  it("DeleteSubscription cancels pending deliveries, keeps them readable, and the id is NOT_FOUND afterwards", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_del", endpointUrl: "https://example.com/h" });
    const id = subscription!.id;
    const { event } = await t.client.emit({ type: "deal.created", customerId: "cus_del" });
    const { canceledDeliveries } = await t.client.deleteSubscription({ id });
    expect(canceledDeliveries).toBe(1);

    const notFound = literal(`subscription "${id}" not found`);
    await expectError(t.client.getSubscription({ id }), status.NOT_FOUND, notFound);
    await expectError(t.client.deleteSubscription({ id }), status.NOT_FOUND, notFound);
    await expectError(t.client.rotateSubscriptionSecret({ id }), status.NOT_FOUND, notFound);
    await expectError(t.client.updateSubscription({ subscription: { id, enabled: true }, updateMask: { paths: ["enabled"] } }), status.NOT_FOUND, notFound);
    expect((await t.client.listSubscriptions({ customerId: "cus_del" })).subscriptions).toEqual([]);

    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    expect(deliveries.map((d) => [d.subscriptionId, d.state, d.finalReason])).toEqual([[id, DeliveryState.CANCELED, "subscription deleted"]]);
    expect((await t.client.getDelivery({ id: deliveries[0]!.id })).delivery!.state).toBe(DeliveryState.CANCELED);
    expect((await t.client.emit({ type: "deal.created", customerId: "cus_del" })).matchedSubscriptions).toBe(0);
  });

  it("RotateSubscriptionSecret: default grace 24 h, at most 7 days; the subscription lists each valid secret's expiry", async () => {
    const { subscription, secret: first } = await t.client.subscribe({ customerId: "cus_rot", endpointUrl: "https://example.com/h" });
    const id = subscription!.id;
    const now = () => BigInt(Math.floor(t.clock.nowMs() / 1000));
    /** The listed secrets as [current, expiry in seconds from now or null]. */
    const listed = (s: Subscription | undefined) =>
      s!.secrets.map((info) => [info.current, info.expireTime === undefined ? null : Number(info.expireTime.seconds - now())]);
    expect(listed(subscription)).toEqual([[true, null]]);

    const rotated = await t.client.rotateSubscriptionSecret({ id });
    expect(rotated.secret).toMatch(SECRET);
    expect(rotated.secret).not.toBe(first);
    expect(rotated.subscription!.previousSecretExpireTime!.seconds).toBe(now() + BigInt(DAY_S));
    expect(listed(rotated.subscription)).toEqual([[true, null], [false, DAY_S]]);
    expect((await t.client.getSubscription({ id })).subscription).toEqual(rotated.subscription);

    t.clock.advance(DAY_S * 1000); // the grace period is over
    const after = (await t.client.getSubscription({ id })).subscription;
    expect(after!.previousSecretExpireTime).toBeUndefined();
    expect(listed(after)).toEqual([[true, null]]);

    const week = await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 7 * DAY_S });
    expect(week.subscription!.previousSecretExpireTime!.seconds).toBe(now() + BigInt(7 * DAY_S));
    await expectError(
      t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 7 * DAY_S + 1 }),
      status.INVALID_ARGUMENT,
      literal("grace_period_seconds: must be at most 604800 (7 days), got 604801"),
    );
    expect((await t.client.getSubscription({ id })).subscription).toEqual(week.subscription);

    // Each previous secret keeps its own expiry; previous_secret_expire_time is the latest one.
    t.clock.advance(3600_000);
    const hour = await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 3600 });
    expect(listed(hour.subscription)).toEqual([[true, null], [false, 3600], [false, 7 * DAY_S - 3600]]);
    expect(hour.subscription!.previousSecretExpireTime!.seconds).toBe(now() + BigInt(7 * DAY_S - 3600));
    t.clock.advance(3600_000); // the one-hour grace is over: the secret it kept is no longer listed
    expect(listed((await t.client.getSubscription({ id })).subscription)).toEqual([[true, null], [false, 7 * DAY_S - 7200]]);

    // 0 revokes every older secret at once, not only the current one.
    await t.client.rotateSubscriptionSecret({ id });
    const revoked = await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 0 });
    expect(listed(revoked.subscription)).toEqual([[true, null]]);
    expect(revoked.subscription!.previousSecretExpireTime).toBeUndefined();
    expect((await t.client.getSubscription({ id })).subscription).toEqual(revoked.subscription);
    expect(new Set([first, rotated.secret, week.secret, hour.secret, revoked.secret]).size).toBe(5);
  });
});

// The address guard is store-independent, so one store is enough for the app without the
// loopback allowance.
describe("Subscribe without the loopback allowance", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", { allowedCidrs: [] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("refuses localhost names and loopback literals in any spelling", async () => {
    const cases: [string, string][] = [
      ["http://localhost:8080/h", "host localhost is loopback"],
      ["http://api.localhost/h", "host api.localhost is loopback"],
      ["http://127.0.0.1/h", "address 127.0.0.1 is not allowed"],
      ["http://2130706433/h", "address 127.0.0.1 is not allowed"],
      ["http://0x7f.1/h", "address 127.0.0.1 is not allowed"],
      ["http://[::ffff:127.0.0.1]/h", "address ::ffff:7f00:1 is not allowed"],
    ];
    for (const [endpointUrl, reason] of cases) {
      await expectError(t.client.subscribe({ customerId: "cus_guard", endpointUrl }), status.INVALID_ARGUMENT, literal(`endpoint_url: ${reason}; ${NON_PUBLIC_HINT}`));
    }
    const { subscription } = await t.client.subscribe({ customerId: "cus_guard", endpointUrl: "https://93.184.215.14/h" });
    expect(subscription!.endpointUrl).toBe("https://93.184.215.14/h");
    expect((await t.client.listSubscriptions({ customerId: "cus_guard" })).subscriptions).toHaveLength(1);
  });
});
