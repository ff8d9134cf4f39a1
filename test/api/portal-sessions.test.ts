/**
 * CreatePortalSession: the portal URL with a customer key in its fragment; the key sees exactly
 * that customer, expires after the session's time to live, and RevokeApiKey ends it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { ApiKeyRole, createWebhookClient, status, type WebhookClient } from "@posthorn/sdk";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { bearer } from "../helpers/test-keys.js";
import { expectError } from "./expect-error.js";

/** The portal's base URL here (a trailing slash is dropped); without it the base is made from the HTTP listener (test/config/public-url.test.ts). */
const PUBLIC_URL = "https://hooks.example.com/posthorn/";
const SESSION_URL = /^https:\/\/hooks\.example\.com\/posthorn\/portal\/#key=(phk_[A-Za-z0-9_-]{43})$/;

describe.each(STORES)("CreatePortalSession (%s)", (kind) => {
  let t: TestApp;
  const log = captureLog();
  const clients: WebhookClient[] = [];
  const clientWith = (key: string) => {
    const client = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(key) });
    clients.push(client);
    return client;
  };
  const keyOf = (url: string) => SESSION_URL.exec(url)?.[1] ?? "";

  beforeAll(async () => {
    t = await startTestApp(kind, { publicUrl: PUBLIC_URL }, { logger: log.logger });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await t?.close();
  });

  it("answers <publicUrl>/portal/#key=… with a customer key that sees only that customer, for one hour by default", async () => {
    const { subscription: own } = await t.client.subscribe({ customerId: "cus_p", endpointUrl: "https://example.com/p" });
    const { subscription: theirs } = await t.client.subscribe({ customerId: "cus_q", endpointUrl: "https://example.com/q" });
    const { url, apiKey } = await t.client.createPortalSession({ customerId: "cus_p" });
    expect(url).toMatch(SESSION_URL);
    expect(apiKey).toMatchObject({ name: "portal session", role: ApiKeyRole.CUSTOMER, customerId: "cus_p", keyPrefix: keyOf(url).slice(0, 12) });
    expect(timestampMs(apiKey!.expireTime!) - t.clock.nowMs()).toBe(3600 * 1000);

    const session = clientWith(keyOf(url));
    expect((await session.listSubscriptions({})).subscriptions.map((s) => s.id)).toEqual([own!.id]);
    await expectError(session.getSubscription({ id: theirs!.id }), status.NOT_FOUND, "not found");
    await expectError(session.createPortalSession({ customerId: "cus_p" }), status.PERMISSION_DENIED, "may not call CreatePortalSession");

    // Neither the key nor the URL is ever logged.
    expect(JSON.stringify(log.lines)).not.toContain(keyOf(url));
  });

  it("expires after ttl_seconds and ends at once when its key is revoked", async () => {
    const short = await t.client.createPortalSession({ customerId: "cus_p", ttlSeconds: 120 });
    const expiring = clientWith(keyOf(short.url));
    await expiring.listSubscriptions({});
    t.clock.advance(120 * 1000);
    await expectError(expiring.listSubscriptions({}), status.UNAUTHENTICATED, "expired");

    const revoked = await t.client.createPortalSession({ customerId: "cus_p" });
    const ended = clientWith(keyOf(revoked.url));
    await ended.listSubscriptions({});
    await t.client.revokeApiKey({ id: revoked.apiKey!.id });
    await expectError(ended.listSubscriptions({}), status.UNAUTHENTICATED, "revoked");
  });

  it("checks customer_id and ttl_seconds (60 to 86400, 0 = 3600)", async () => {
    for (const ttlSeconds of [59, 86_401, -1]) {
      await expectError(t.client.createPortalSession({ customerId: "cus_p", ttlSeconds }), status.INVALID_ARGUMENT, /^ttl_seconds: must be 60 to 86400 seconds/);
    }
    const longest = await t.client.createPortalSession({ customerId: "cus_p", ttlSeconds: 86_400 });
    expect(timestampMs(longest.apiKey!.expireTime!) - t.clock.nowMs()).toBe(86_400 * 1000);
    await expectError(t.client.createPortalSession({ customerId: "" }), status.INVALID_ARGUMENT, /^customer_id: /);
  });

  it("is audited under the customer, naming the session's key", async () => {
    const { apiKey } = await t.client.createPortalSession({ customerId: "cus_audited" });
    const { records } = await t.client.listAuditRecords({ customerId: "cus_audited" });
    expect(records.map((r) => r.method)).toEqual(["CreatePortalSession"]);
    expect(records[0]).toMatchObject({ role: ApiKeyRole.ADMIN, customerId: "cus_audited", targetIds: [apiKey!.id] });
  });
});

describe("CreatePortalSession without a portal", () => {
  it("answers FAILED_PRECONDITION when the HTTP listener is off and no POSTHORN_PUBLIC_URL is set", async () => {
    const t = await startTestApp("pglite", { httpAddress: "off" });
    try {
      await expectError(t.client.createPortalSession({ customerId: "cus_p" }), status.FAILED_PRECONDITION, "the HTTP listener is off");
    } finally {
      await t.close();
    }
  });
});
