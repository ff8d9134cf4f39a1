import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { toJsonString } from "@bufbuild/protobuf";
import { ApiKeyRole, createWebhookClient, status, type WebhookClient } from "@posthorn/sdk";
import { ApiKeySchema, AuditRecordSchema } from "@posthorn/proto";
import { startApp } from "../../server/src/app.js";
import { parseConfig } from "../../server/src/config/load-config.js";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { bearer, TEST_ADMIN_KEY, TEST_SECRET_KEYS } from "../helpers/test-keys.js";
import { expectError } from "./expect-error.js";

describe.each(STORES)("API keys and the audit log (%s)", (kind) => {
  let t: TestApp;
  const log = captureLog();
  const clients: WebhookClient[] = [];
  const clientWith = (key: string | undefined, address = t.app.address!) => {
    const client = createWebhookClient({ address, maxRetries: 0, ...(key ? { metadata: bearer(key) } : {}) });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { logger: log.logger });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await t?.close();
  });

  it("the store's first key is the bootstrap admin key; a created key is shown once and only its hash is stored", async () => {
    const { apiKeys } = await t.client.listApiKeys({});
    expect(apiKeys[0]).toMatchObject({ name: "bootstrap admin", role: ApiKeyRole.ADMIN, keyPrefix: TEST_ADMIN_KEY.slice(0, 12) });

    const created = await t.client.createApiKey({ name: "billing emitter", role: ApiKeyRole.EMITTER, emitCustomerIds: ["cus_1", "cus_2"] });
    expect(created.key).toMatch(/^phk_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({ name: "billing emitter", role: ApiKeyRole.EMITTER, emitCustomerIds: ["cus_1", "cus_2"], keyPrefix: created.key.slice(0, 12) });
    const listed = (await t.client.listApiKeys({})).apiKeys.find((k) => k.id === created.apiKey!.id)!;
    expect(toJsonString(ApiKeySchema, listed)).not.toContain(created.key.slice(12));

    const stored = await t.app.store.db.selectFrom("api_keys").selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(12));
    expect(JSON.stringify(stored)).not.toContain(TEST_ADMIN_KEY.slice(12));
  });

  it("records a key's last use, to the minute", async () => {
    const { apiKey, key } = await t.client.createApiKey({ name: "user", role: ApiKeyRole.EMITTER });
    expect(apiKey!.lastUseTime).toBeUndefined();
    await clientWith(key).listEventTypes({});
    const used = async () => (await t.client.listApiKeys({})).apiKeys.find((k) => k.id === apiKey!.id)!.lastUseTime;
    await expect.poll(used).toBeDefined();
    expect(timestampDate((await used())!).getTime()).toBe(t.clock.nowMs());
  });

  it("a revoked key fails on its next call; an expired key fails once its time has come", async () => {
    const { apiKey, key } = await t.client.createApiKey({ name: "short-lived", role: ApiKeyRole.CUSTOMER, customerId: "cus_x" });
    const client = clientWith(key);
    await client.listSubscriptions({});
    const revoked = await t.client.revokeApiKey({ id: apiKey!.id });
    expect(revoked.apiKey!.revokeTime).toBeDefined();
    await expectError(client.listSubscriptions({}), status.UNAUTHENTICATED, `API key ${apiKey!.id} was revoked`);
    // Revoking again changes nothing.
    expect((await t.client.revokeApiKey({ id: apiKey!.id })).apiKey!.revokeTime).toEqual(revoked.apiKey!.revokeTime);
    // Revoked keys are listed on request only.
    expect((await t.client.listApiKeys({})).apiKeys.map((k) => k.id)).not.toContain(apiKey!.id);
    expect((await t.client.listApiKeys({ showRevoked: true })).apiKeys.map((k) => k.id)).toContain(apiKey!.id);

    const expiring = await t.client.createApiKey({ name: "expiring", role: ApiKeyRole.EMITTER, expireTime: timestampFromMs(t.clock.nowMs() + 60_000) });
    const soon = clientWith(expiring.key);
    await soon.listEventTypes({});
    t.clock.advance(60_000);
    await expectError(soon.listEventTypes({}), status.UNAUTHENTICATED, `API key ${expiring.apiKey!.id} expired at`);
  });

  it("refuses to revoke the last working admin key that never expires", async () => {
    const admins = (await t.client.listApiKeys({})).apiKeys.filter((k) => k.role === ApiKeyRole.ADMIN);
    // An admin key that expires is no replacement: after it, nobody could manage keys.
    const expiring = await t.client.createApiKey({ name: "temporary admin", role: ApiKeyRole.ADMIN, expireTime: timestampFromMs(t.clock.nowMs() + 3_600_000) });
    for (const admin of admins) {
      await expectError(t.client.revokeApiKey({ id: admin.id }), status.FAILED_PRECONDITION, "no working admin key that never expires");
    }
    const extra = await t.client.createApiKey({ name: "second admin", role: ApiKeyRole.ADMIN });
    for (const admin of admins) await t.client.revokeApiKey({ id: admin.id });
    const last = clientWith(extra.key);
    await last.revokeApiKey({ id: expiring.apiKey!.id });
    await expectError(last.revokeApiKey({ id: extra.apiKey!.id }), status.FAILED_PRECONDITION, "no working admin key that never expires");
    // The bootstrap key is revoked now: this test's own client must switch to the new admin key.
    await expectError(t.client.listApiKeys({}), status.UNAUTHENTICATED, "was revoked");
    const replacement = await last.createApiKey({ name: "admin again", role: ApiKeyRole.ADMIN });
    t.client = clientWith(replacement.key);
  });

  it("refuses bad CreateApiKey requests, naming the field", async () => {
    await expectError(t.client.createApiKey({ role: ApiKeyRole.ADMIN }), status.INVALID_ARGUMENT, "name: is required");
    await expectError(t.client.createApiKey({ name: "x" }), status.INVALID_ARGUMENT, "role: is required");
    await expectError(t.client.createApiKey({ name: "x", role: ApiKeyRole.CUSTOMER }), status.INVALID_ARGUMENT, "customer_id: is required");
    await expectError(t.client.createApiKey({ name: "x", role: ApiKeyRole.ADMIN, customerId: "cus_1" }), status.INVALID_ARGUMENT, "customer_id: must be empty for role admin");
    await expectError(
      t.client.createApiKey({ name: "x", role: ApiKeyRole.CUSTOMER, customerId: "c", emitCustomerIds: ["c"] }),
      status.INVALID_ARGUMENT,
      "emit_customer_ids: must be empty for role customer",
    );
    await expectError(t.client.createApiKey({ name: "x", role: ApiKeyRole.EMITTER, expireTime: timestampFromMs(t.clock.nowMs()) }), status.INVALID_ARGUMENT, "expire_time: must be in the future");
    await expectError(t.client.createApiKey({ name: "x\u0007", role: ApiKeyRole.EMITTER }), status.INVALID_ARGUMENT, "name: must not contain control characters");
    await expectError(t.client.revokeApiKey({ id: "sub_000000000000000000000000" }), status.INVALID_ARGUMENT, "id: is not an API key id");
    await expectError(t.client.revokeApiKey({ id: "key_000000000000000000000000" }), status.NOT_FOUND, 'API key "key_000000000000000000000000" not found');
  });

  it("audits every call that changes state, with the key, role, customer, method and targets", async () => {
    const { apiKey, key } = await t.client.createApiKey({ name: "portal cus_audit", role: ApiKeyRole.CUSTOMER, customerId: "cus_audit" });
    const customer = clientWith(key);
    const { subscription } = await customer.subscribe({ customerId: "cus_audit", endpointUrl: "https://example.com/audit" });
    await customer.rotateSubscriptionSecret({ id: subscription!.id });
    await customer.updateSubscription({ subscription: { id: subscription!.id, description: "d" }, updateMask: { paths: ["description"] } });
    await customer.recoverFailedDeliveries({ subscriptionId: subscription!.id, since: timestampFromMs(0) });
    await customer.deleteSubscription({ id: subscription!.id });
    // Reads are not audited.
    await customer.listSubscriptions({});

    const { records } = await t.client.listAuditRecords({ customerId: "cus_audit" });
    expect(records.map((r) => r.method)).toEqual([
      "DeleteSubscription",
      "RecoverFailedDeliveries",
      "UpdateSubscription",
      "RotateSubscriptionSecret",
      "Subscribe",
      "CreateApiKey",
    ]);
    for (const record of records.slice(0, 5)) {
      expect(record).toMatchObject({ keyId: apiKey!.id, keyName: "portal cus_audit", role: ApiKeyRole.CUSTOMER, customerId: "cus_audit", targetIds: [subscription!.id] });
    }
    expect(records[5]).toMatchObject({ role: ApiKeyRole.ADMIN, targetIds: [apiKey!.id] });
    const lines = log.lines.filter((line) => line.msg === "audit" && line.customer_id === "cus_audit");
    expect(lines.map((line) => line.method)).toContain("RotateSubscriptionSecret");
    // Never a secret in the audit trail.
    expect(records.map((r) => toJsonString(AuditRecordSchema, r)).join() + JSON.stringify(lines)).not.toContain("whsec_");
  });

  it("logs failed authentications at most once per reason per 10 s and counts each one", async () => {
    const anonymous = clientWith(undefined);
    for (let i = 0; i < 5; i++) await expectError(anonymous.listEventTypes({}), status.UNAUTHENTICATED, 'send the metadata "authorization: Bearer phk_');
    const refusals = () => log.lines.filter((line) => line.msg === "call refused: not authenticated" && line.reason === "missing");
    expect(refusals()).toHaveLength(1);
    t.clock.advance(10_000);
    await expectError(anonymous.listEventTypes({}), status.UNAUTHENTICATED, "no API key");
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]).toMatchObject({ suppressed: 4, method: "ListEventTypes" });
    const metrics = await t.app.metrics.registry.getSingleMetricAsString("posthorn_auth_failures_total");
    expect(metrics).toContain('posthorn_auth_failures_total{reason="missing"} 6');

    await expectError(clientWith("phk_short").listEventTypes({}), status.UNAUTHENTICATED, "expected one");
    await expectError(clientWith(`phk_${"z".repeat(43)}`).listEventTypes({}), status.UNAUTHENTICATED, "is not known to this server");
  });

  it.runIf(kind === "postgres")("a key revoked through one process fails on its next call to another", async () => {
    const other = await startApp(
      parseConfig({
        listenAddress: "127.0.0.1:0",
        httpAddress: "127.0.0.1:0",
        databaseUrl: t.database.databaseUrl,
        dataDir: t.database.dataDir,
        metricsAddress: "off",
        workers: false,
        secretKeys: TEST_SECRET_KEYS,
      }),
      { logger: log.logger, clock: t.clock },
    );
    try {
      const { apiKey, key } = await t.client.createApiKey({ name: "shared", role: ApiKeyRole.EMITTER });
      const there = clientWith(key, other.address!);
      await there.listEventTypes({});
      await t.client.revokeApiKey({ id: apiKey!.id });
      await expectError(there.listEventTypes({}), status.UNAUTHENTICATED, "was revoked");
    } finally {
      await other.stop();
    }
  });
});

describe("bootstrap admin key", () => {
  it("a fresh embedded store writes a random admin key to <dataDir>/admin.key (0600) and reuses it", async () => {
    const { createTestDatabase } = await import("../helpers/databases.js");
    const { readFileSync, statSync } = await import("node:fs");
    const database = await createTestDatabase("pglite");
    const config = parseConfig({ listenAddress: "127.0.0.1:0", httpAddress: "127.0.0.1:0", dataDir: database.dataDir, metricsAddress: "off", workers: false });
    const log = captureLog();
    let app = await startApp(config, { logger: log.logger });
    try {
      const path = `${database.dataDir}/admin.key`;
      const key = readFileSync(path, "utf8").trim();
      expect(key).toMatch(/^phk_[A-Za-z0-9_-]{43}$/);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(JSON.stringify(log.lines)).not.toContain(key.slice(12));
      expect(log.lines.some((line) => String(line.msg).includes(path))).toBe(true);
      const client = createWebhookClient({ address: app.address!, metadata: bearer(key) });
      expect((await client.listApiKeys({})).apiKeys).toHaveLength(1);
      client.close();
      await app.stop();
      // A restart creates nothing more.
      app = await startApp(config, { logger: log.logger });
      const again = createWebhookClient({ address: app.address!, metadata: bearer(readFileSync(path, "utf8").trim()) });
      expect((await again.listApiKeys({ showRevoked: true })).apiKeys).toHaveLength(1);
      again.close();
    } finally {
      await app.stop();
      await database.drop();
    }
  });
});
