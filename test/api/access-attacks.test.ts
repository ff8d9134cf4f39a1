import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { Client, credentials, Metadata, status as grpcStatus, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import { ApiKeyRole, createWebhookClient, status, type WebhookClient } from "@posthorn/sdk";
import { WatchDeliveriesRequestSchema, WebhookService } from "@posthorn/proto";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { expectError } from "./expect-error.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

/**
 * Access control as an attacker or a careless operator would try it (issue 12): what the
 * authorization matrix (access-matrix.test.ts) does not cover — open streams outliving their
 * key, odd authorization metadata, filters naming another customer's objects, racing
 * revocations, and what a refused key leaves in the log.
 */
describe.each(STORES)("access attacks (%s)", (kind) => {
  let t: TestApp;
  const log = captureLog();
  const clients: WebhookClient[] = [];
  const raws: Client[] = [];
  const clientWith = (metadata: Record<string, string>) => {
    const client = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata });
    clients.push(client);
    return client;
  };
  /** A raw grpc-js client, for metadata the SDK would not send. */
  const raw = () => {
    const client = new Client(t.app.address!, credentials.createInsecure());
    raws.push(client);
    return client;
  };
  /** ListEventTypes with exactly `metadata`: the error code and message, or "ok". */
  const listEventTypesWith = (metadata: Metadata) =>
    new Promise<string>((resolve) =>
      raw().makeUnaryRequest(
        `/${WebhookService.typeName}/ListEventTypes`,
        (value: Buffer) => value,
        (value: Buffer) => value,
        Buffer.alloc(0),
        metadata,
        (error: ServiceError | null) => resolve(error ? `${grpcStatus[error.code]}: ${error.details}` : "ok"),
      ),
    );
  /** Opens WatchDeliveries with `key`; resolves once the watch is live (headers), with the stream and how it ends. */
  const openWatch = async (key: string, request: { customerId?: string; subscriptionId?: string } = {}) => {
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${key}`);
    const stream: ClientReadableStream<Buffer> = raw().makeServerStreamRequest(
      `/${WebhookService.typeName}/WatchDeliveries`,
      (value: Buffer) => value,
      (value: Buffer) => value,
      Buffer.from(toBinary(WatchDeliveriesRequestSchema, create(WatchDeliveriesRequestSchema, request))),
      metadata,
    );
    const ended = new Promise<string>((resolve) => {
      stream.on("error", (error: ServiceError) => resolve(`${grpcStatus[error.code]}: ${error.details}`));
      stream.on("end", () => resolve("end"));
    });
    stream.on("data", () => {});
    await new Promise<void>((resolve, reject) => {
      stream.on("metadata", () => resolve());
      ended.then((how) => reject(new Error(`watch refused: ${how}`)), reject);
    });
    return { stream, ended };
  };
  const newKey = (request: Parameters<WebhookClient["createApiKey"]>[0]) => t.client.createApiKey(request);

  beforeAll(async () => {
    // Open watches' keys are checked again every 100 ms here (10 s by default).
    t = await startTestApp(kind, {}, { logger: log.logger, watchKeyCheckMs: 100 });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    for (const client of raws) client.close();
    await t?.close();
  });

  describe("an open WatchDeliveries stream does not outlive its key", () => {
    it("revoked through the API: the stream ends UNAUTHENTICATED", async () => {
      const { apiKey, key } = await newKey({ name: "portal", role: ApiKeyRole.CUSTOMER, customerId: "cus_a" });
      const other = await openWatch(TEST_ADMIN_KEY);
      const watch = await openWatch(key);
      await t.client.revokeApiKey({ id: apiKey!.id });
      expect(await watch.ended).toMatch(new RegExp(`^UNAUTHENTICATED: API key ${apiKey!.id} was revoked at `));
      // Another key's watch stays open.
      const still = await Promise.race([other.ended, new Promise((resolve) => setTimeout(() => resolve("open"), 300))]);
      expect(still).toBe("open");
      other.stream.cancel();
      expect(log.lines.some((line) => line.msg === "watch ended: its API key no longer works" && line.key_id === apiKey!.id)).toBe(true);
    });

    it("revoked by another process (straight in the store): the periodic check ends it", async () => {
      const { apiKey, key } = await newKey({ name: "watcher", role: ApiKeyRole.ADMIN });
      const watch = await openWatch(key);
      await t.app.store.db.updateTable("api_keys").set({ revoked_at: new Date(t.clock.nowMs()) }).where("id", "=", apiKey!.id).execute();
      expect(await watch.ended).toMatch(/^UNAUTHENTICATED: API key key_\w+ was revoked at /);
    });

    it("expired while watching: the periodic check ends it", async () => {
      const expireTime = { seconds: BigInt(Math.floor(t.clock.nowMs() / 1000) + 60), nanos: 0 };
      const { apiKey, key } = await newKey({ name: "short", role: ApiKeyRole.CUSTOMER, customerId: "cus_a", expireTime });
      const watch = await openWatch(key, { customerId: "cus_a" });
      t.clock.advance(61_000);
      expect(await watch.ended).toBe(`UNAUTHENTICATED: API key ${apiKey!.id} expired at ${new Date(Number(expireTime.seconds) * 1000).toISOString()}`);
    });
  });

  describe("authorization metadata", () => {
    const withAuth = (...values: string[]) => {
      const metadata = new Metadata();
      for (const value of values) metadata.add("authorization", value);
      return metadata;
    };

    it("accepts the scheme in any case (RFC 9110: the scheme is case-insensitive)", async () => {
      expect(await listEventTypesWith(withAuth(`bearer ${TEST_ADMIN_KEY}`))).toBe("ok");
      expect(await listEventTypesWith(withAuth(`BEARER ${TEST_ADMIN_KEY}`))).toBe("ok");
    });

    it("refuses two keys in one value, even the same valid key twice", async () => {
      // (grpc-js clients refuse to send two authorization values; joined ones reach the server.)
      expect(await listEventTypesWith(withAuth(`Bearer ${TEST_ADMIN_KEY}, Bearer ${TEST_ADMIN_KEY}`))).toMatch(/^UNAUTHENTICATED: authorization: expected one/);
      expect(await listEventTypesWith(withAuth(`Bearer ${TEST_ADMIN_KEY},${TEST_ADMIN_KEY}`))).toMatch(/^UNAUTHENTICATED: authorization: expected one/);
    });

    it("refuses other schemes, a bare key, two spaces and a key with a suffix", async () => {
      for (const value of [`Basic ${TEST_ADMIN_KEY}`, TEST_ADMIN_KEY, `Bearer  ${TEST_ADMIN_KEY}`, `Bearer ${TEST_ADMIN_KEY} x`, `Bearer ${TEST_ADMIN_KEY}=`]) {
        expect(await listEventTypesWith(withAuth(value)), value).toMatch(/^UNAUTHENTICATED: /);
      }
    });

    it("does not read the key from authorization-bin", async () => {
      const metadata = new Metadata();
      metadata.set("authorization-bin", Buffer.from(`Bearer ${TEST_ADMIN_KEY}`));
      expect(await listEventTypesWith(metadata)).toMatch(/^UNAUTHENTICATED: no API key/);
    });

    it("refuses a key longer than any key (a huge header is not hashed into a lookup)", async () => {
      expect(await listEventTypesWith(withAuth(`Bearer phk_${"a".repeat(4000)}`))).toMatch(/^UNAUTHENTICATED: authorization: expected one/);
    });
  });

  it("a refused key leaves at most its 12-character prefix in the log and the error", async () => {
    const presented = `phk_${"Zq9".repeat(15)}`;
    const from = log.lines.length;
    const error = await expectError(clientWith(bearer(presented)).listEventTypes({}), status.UNAUTHENTICATED, "is not known");
    expect(error.details).not.toContain(presented.slice(12));
    await expectError(clientWith(bearer(`${presented}!`)).listEventTypes({}), status.UNAUTHENTICATED, "expected one");
    const written = JSON.stringify(log.lines.slice(from));
    expect(written).not.toContain(presented.slice(12));
    expect(JSON.stringify(log.lines)).not.toContain(TEST_ADMIN_KEY.slice(12));
  });

  it("a customer key's list filters naming another customer's objects list nothing", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_b", endpointUrl: "https://example.com/b" });
    const { event } = await t.client.emit({ customerId: "cus_b", type: "lead.created", data: {} });
    const { key } = await newKey({ name: "portal a", role: ApiKeyRole.CUSTOMER, customerId: "cus_a" });
    const a = clientWith(bearer(key));
    expect((await a.listDeliveries({ subscriptionId: subscription!.id })).deliveries).toEqual([]);
    expect((await a.listDeliveries({ eventId: event!.id })).deliveries).toEqual([]);
    // An admin's page token leads a customer key only to its own rows.
    const { nextPageToken } = await t.client.listDeliveries({ pageSize: 1, newestFirst: true });
    const page = await a.listDeliveries({ pageToken: nextPageToken, newestFirst: true });
    expect(page.deliveries.every((d) => d.customerId === "cus_a")).toBe(true);
    // Look-alike customer ids are other customers.
    for (const lookAlike of ["cus_a ", " cus_a", "CUS_A", "cus_\u0430"]) {
      await t.client.subscribe({ customerId: lookAlike, endpointUrl: "https://example.com/look-alike" });
      expect((await a.listSubscriptions({ customerId: lookAlike })).subscriptions).toEqual([]);
    }
    expect((await a.listSubscriptions({})).subscriptions.every((s) => s.customerId === "cus_a")).toBe(true);
  });
});

describeOnPostgres("racing revocations (postgres)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("postgres");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("two admins revoking each other at once leave one working admin key, and neither call fails INTERNAL", async () => {
    for (let round = 0; round < 10; round++) {
      const one = await t.client.createApiKey({ name: `admin one ${round}`, role: ApiKeyRole.ADMIN });
      const two = await t.client.createApiKey({ name: `admin two ${round}`, role: ApiKeyRole.ADMIN });
      const admins = (await t.client.listApiKeys({})).apiKeys.filter((k) => k.role === ApiKeyRole.ADMIN);
      // Only these two are left working.
      for (const admin of admins) if (admin.id !== one.apiKey!.id && admin.id !== two.apiKey!.id) await t.client.revokeApiKey({ id: admin.id });
      const clientOne = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(one.key) });
      const clientTwo = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(two.key) });
      try {
        const outcomes = await Promise.allSettled([
          clientOne.revokeApiKey({ id: two.apiKey!.id }),
          clientTwo.revokeApiKey({ id: one.apiKey!.id }),
        ]);
        const codes = outcomes.map((o) => (o.status === "fulfilled" ? "OK" : (o.reason as { codeName: string }).codeName));
        // The loser is refused as the last admin, or (authenticated after the winner) as revoked.
        expect(codes.filter((code) => code === "OK"), JSON.stringify(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : "ok")))).toHaveLength(1);
        expect(["FAILED_PRECONDITION", "UNAUTHENTICATED"]).toContain(codes.find((code) => code !== "OK"));
        const working = (await t.app.store.db.selectFrom("api_keys").select("id").where("role", "=", "admin").where("revoked_at", "is", null).execute()).map((r) => r.id);
        expect(working).toHaveLength(1);
        t.client.close();
        t.client = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(working[0] === one.apiKey!.id ? one.key : two.key) });
      } finally {
        clientOne.close();
        clientTwo.close();
      }
    }
  });
});
