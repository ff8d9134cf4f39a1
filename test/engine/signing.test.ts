import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Stripe from "stripe";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Webhook } from "standardwebhooks";
import { SignatureScheme } from "@posthorn/sdk";
import { verifySignature, verifyStandardWebhook } from "@posthorn/verifier";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const stripe = new Stripe("sk_test_unused");

describe.each(STORES)("signing on the wire (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    // Real time here: the stripe and standardwebhooks checks compare t with the real clock.
    t = await startTestApp(kind, { workers: true }, { clock: { nowMs: () => Date.now() } as never });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("sends the contract's headers and a signature that stripe's constructEvent accepts", async () => {
    const { secret } = await t.client.subscribe({ customerId: "cus_sig", endpointUrl: receiver.url });
    const { event } = await t.client.emit({ type: "payment.received", customerId: "cus_sig", data: { tier: "Gold 😊", city: "Peñalolén" } });
    const request = (await receiver.waitFor(1)).at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["user-agent"]).toBe("Dealix-Webhooks/1.0");
    expect(request.headers["dealix-event-id"]).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(request.headers["dealix-event-type"]).toBe("payment.received");
    expect(request.headers["dealix-delivery-attempt"]).toBe("1");
    const header = String(request.headers["dealix-signature"]);
    const parsed = stripe.webhooks.constructEvent(request.body, header, secret) as unknown as Record<string, unknown>;
    expect(parsed.id).toBe(event!.id);
    // The envelope: canonical JSON, keys sorted, exactly these keys.
    expect(request.body.toString("utf8")).toBe(
      `{"api_version":"v1","customer_id":"cus_sig","data":{"city":"Peñalolén","tier":"Gold 😊"},"id":"${event!.id}","timestamp":${parsed.timestamp},"type":"payment.received"}`,
    );
  });

  it("signs with both secrets while a rotation's grace period runs", async () => {
    const { subscription, secret: oldSecret } = await t.client.subscribe({ customerId: "cus_rot", endpointUrl: receiver.url });
    const { secret: newSecret, subscription: rotated } = await t.client.rotateSubscriptionSecret({ id: subscription!.id });
    expect(rotated!.previousSecretExpireTime).toBeDefined();
    const before = receiver.requests.length;
    await t.client.emit({ type: "lead.created", customerId: "cus_rot", data: {} });
    const request = (await receiver.waitFor(before + 1)).at(-1)!;
    const header = String(request.headers["dealix-signature"]);
    expect(header.match(/v1=/g)).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      expect(verifySignature({ payload: request.body, header, secrets: [secret] }).ok).toBe(true);
    }
    expect(verifySignature({ payload: request.body, header, secrets: ["whsec_c29tZXRoaW5nLWVsc2U="] })).toMatchObject({ ok: false, reason: "signature_mismatch" });
    // Revoking at once (grace 0): only the newest signs; neither older secret is used any more.
    const { secret: newest } = await t.client.rotateSubscriptionSecret({ id: subscription!.id, gracePeriodSeconds: 0 });
    await t.client.emit({ type: "lead.created", customerId: "cus_rot", data: {} });
    const next = (await receiver.waitFor(before + 2)).at(-1)!;
    const nextHeader = String(next.headers["dealix-signature"]);
    expect(nextHeader.match(/v1=/g)).toHaveLength(1);
    expect(verifySignature({ payload: next.body, header: nextHeader, secrets: [newest] }).ok).toBe(true);
    for (const secret of [oldSecret, newSecret]) {
      expect(verifySignature({ payload: next.body, header: nextHeader, secrets: [secret] })).toMatchObject({ ok: false, reason: "signature_mismatch" });
    }
  });

  it("after three rotations with grace, grace 0 leaves one secret, also for a delivery first attempted before it", async () => {
    // The first request fails, so the delivery waits for its next attempt across the revocation.
    const failingOnce = await startReceiver((_request, index, response) => void response.writeHead(index === 1 ? 500 : 200).end());
    try {
      const { subscription, secret: first } = await t.client.subscribe({ customerId: "cus_revoke", endpointUrl: failingOnce.url });
      const id = subscription!.id;
      const rotations = [];
      for (const grace of [3600, 7200, 86_400]) {
        rotations.push({ grace, ...(await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: grace })) });
      }
      // Current first, then the previous ones newest first, each expiring its rotation's grace after it.
      const expiries = [...rotations].reverse().map((r) => timestampMs(r.subscription!.updateTime!) + r.grace * 1000);
      const listed = (await t.client.getSubscription({ id })).subscription!;
      expect(listed.secrets.map((s) => [s.current, s.expireTime && timestampMs(s.expireTime)])).toEqual([
        [true, undefined],
        ...expiries.map((ms) => [false, ms]),
      ]);
      expect(timestampMs(listed.previousSecretExpireTime!)).toBe(Math.max(...expiries));

      const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_revoke", data: {} });
      const [firstTry] = await failingOnce.waitFor(1);
      const older = [first, ...rotations.slice(0, 2).map((r) => r.secret)];
      expect(String(firstTry!.headers["dealix-signature"]).match(/v1=/g)).toHaveLength(4);

      const revoked = await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 0 });
      expect(revoked.subscription!.secrets.map((s) => [s.current, s.expireTime])).toEqual([[true, undefined]]);
      expect(revoked.subscription!.previousSecretExpireTime).toBeUndefined();
      const [delivery] = (await t.client.listDeliveries({ eventId: event!.id })).deliveries;
      await t.client.retryDelivery({ id: delivery!.id });
      const retry = (await failingOnce.waitFor(2))[1]!;
      expect(retry.headers["dealix-delivery-attempt"]).toBe("2");
      const header = String(retry.headers["dealix-signature"]);
      expect(header.match(/v1=/g)).toHaveLength(1);
      expect(verifySignature({ payload: retry.body, header, secrets: [revoked.secret] }).ok).toBe(true);
      for (const secret of [...older, rotations[2]!.secret]) {
        expect(verifySignature({ payload: retry.body, header, secrets: [secret] })).toMatchObject({ ok: false, reason: "signature_mismatch" });
      }
    } finally {
      await failingOnce.close();
    }
  });

  it("signs Standard Webhooks subscriptions with webhook-* headers that the standardwebhooks package verifies", async () => {
    const { secret } = await t.client.subscribe({
      customerId: "cus_sw",
      endpointUrl: receiver.url,
      signatureScheme: SignatureScheme.STANDARD_WEBHOOKS,
    });
    const before = receiver.requests.length;
    const { event } = await t.client.emit({ type: "health.changed", customerId: "cus_sw", data: { score: 0.5 } });
    const request = (await receiver.waitFor(before + 1)).at(-1)!;
    expect(request.headers["webhook-id"]).toBe(event!.id);
    expect(request.headers["dealix-signature"]).toBeUndefined();
    const headers = {
      "webhook-id": String(request.headers["webhook-id"]),
      "webhook-timestamp": String(request.headers["webhook-timestamp"]),
      "webhook-signature": String(request.headers["webhook-signature"]),
    };
    expect(new Webhook(secret).verify(request.body.toString("utf8"), headers)).toMatchObject({ id: event!.id });
    expect(verifyStandardWebhook({ payload: request.body, headers: request.headers as Record<string, string>, secrets: [secret] }).ok).toBe(true);
  });
});
