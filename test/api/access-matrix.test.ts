import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import {
  ApiKeyRole,
  createWebhookClient,
  PosthornError,
  status,
  type WebhookClient,
} from "@posthorn/sdk";
import { WatchDeliveriesRequestSchema, WebhookService } from "@posthorn/proto";
import { ACCESS_RULES } from "../../server/src/auth/access-rules.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { bearer } from "../helpers/test-keys.js";

/**
 * The authorization matrix (issue 12): every RPC of the service descriptor × every kind of
 * credential × a request about the key's own customer or another one → the expected code. The
 * expectations come from the role table below, written from the contract ("Access"), not from
 * the server's rules; a method of the descriptor missing here or in the server's rules fails.
 */

type Credential = "none" | "bad" | "revoked" | "expired" | "admin" | "emitter" | "emitter cus_a" | "customer cus_a";
type Target = "own" | "other";
type MethodName = keyof typeof WebhookService.method;
type Outcome = "ok" | "empty" | status;

const OWN = "cus_a";
const OTHER = "cus_b";
const CREDENTIALS: Credential[] = ["none", "bad", "revoked", "expired", "admin", "emitter", "emitter cus_a", "customer cus_a"];

/** Which role may call what (contract, "Access"). */
const EMIT = ["emit", "emitBatch"] as const;
const ADMIN_ONLY = ["createApiKey", "listApiKeys", "revokeApiKey", "listAuditRecords", "createPortalSession", "getStorage", "pruneStorage"] as const;
/** Methods naming an object by id: another customer's id answers NOT_FOUND to a customer key. */
const BY_ID: Partial<Record<MethodName, string>> = {
  getSubscription: "subscription",
  updateSubscription: "subscription",
  deleteSubscription: "subscription",
  rotateSubscriptionSecret: "subscription",
  getSubscriptionSecret: "subscription",
  sendTestEvent: "subscription",
  recoverFailedDeliveries: "subscription",
  getEvent: "event",
  getDelivery: "delivery",
  retryDelivery: "delivery",
};
const LISTS = ["listSubscriptions", "listEvents", "listDeliveries"] as const;

function expected(method: MethodName, credential: Credential, target: Target): Outcome {
  if (["none", "bad", "revoked", "expired"].includes(credential)) return status.UNAUTHENTICATED;
  if (credential === "admin") return "ok";
  if (method === "listEventTypes") return "ok";
  if (credential.startsWith("emitter")) {
    if (!(EMIT as readonly string[]).includes(method)) return status.PERMISSION_DENIED;
    return credential === "emitter" || target === "own" ? "ok" : status.PERMISSION_DENIED;
  }
  // customer cus_a
  if ((EMIT as readonly string[]).includes(method) || (ADMIN_ONLY as readonly string[]).includes(method)) return status.PERMISSION_DENIED;
  if (target === "own") return "ok";
  if (BY_ID[method] !== undefined) return status.NOT_FOUND;
  if ((LISTS as readonly string[]).includes(method) || method === "watchDeliveries") return "empty";
  if (method === "subscribe") return status.PERMISSION_DENIED;
  throw new Error(`no expectation for ${method} (customer, other customer)`);
}

/** Objects of one customer the requests name. */
interface Fixture {
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
}

type Requests = { [K in MethodName]: (customer: string) => Promise<object> };

describe.each(STORES)("authorization matrix (%s)", (kind) => {
  let t: TestApp;
  const keys = new Map<Credential, string | undefined>();
  const fixtures = new Map<string, Fixture>();
  const clients: WebhookClient[] = [];

  const fixture = async (customerId: string): Promise<Fixture> => {
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: "https://example.com/hook" });
    const { event } = await t.client.emit({ customerId, type: "lead.created", data: { n: 1 } });
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    return { subscriptionId: subscription!.id, eventId: event!.id, deliveryId: deliveries[0]!.id };
  };
  const newKey = async (request: Parameters<WebhookClient["createApiKey"]>[0]) => (await t.client.createApiKey(request)).key;

  const requests: Requests = {
    emit: async (c) => ({ customerId: c, type: "lead.created", data: { n: 1 } }),
    emitBatch: async (c) => ({ events: [{ customerId: c, type: "lead.created", data: { n: 1 } }] }),
    subscribe: async (c) => ({ customerId: c, endpointUrl: "https://example.com/hook" }),
    getSubscription: async (c) => ({ id: fixtures.get(c)!.subscriptionId }),
    listSubscriptions: async (c) => ({ customerId: c }),
    updateSubscription: async (c) => ({ subscription: { id: fixtures.get(c)!.subscriptionId, description: "changed" }, updateMask: { paths: ["description"] } }),
    // A fresh subscription each time: deleting the fixture would change later answers.
    deleteSubscription: async (c) => ({ id: (await t.client.subscribe({ customerId: c, endpointUrl: "https://example.com/doomed" })).subscription!.id }),
    rotateSubscriptionSecret: async (c) => ({ id: fixtures.get(c)!.subscriptionId }),
    getSubscriptionSecret: async (c) => ({ id: fixtures.get(c)!.subscriptionId }),
    getEvent: async (c) => ({ id: fixtures.get(c)!.eventId }),
    listEvents: async (c) => ({ customerId: c }),
    listDeliveries: async (c) => ({ customerId: c }),
    getDelivery: async (c) => ({ id: fixtures.get(c)!.deliveryId }),
    retryDelivery: async (c) => ({ id: fixtures.get(c)!.deliveryId }),
    recoverFailedDeliveries: async (c) => ({ subscriptionId: fixtures.get(c)!.subscriptionId, since: timestampFromMs(0) }),
    listEventTypes: async () => ({}),
    watchDeliveries: async (c) => ({ customerId: c }),
    sendTestEvent: async (c) => ({ subscriptionId: fixtures.get(c)!.subscriptionId }),
    createApiKey: async (c) => ({ name: "made in the matrix", role: ApiKeyRole.CUSTOMER, customerId: c }),
    listApiKeys: async () => ({}),
    revokeApiKey: async (c) => ({ id: (await t.client.createApiKey({ name: "to revoke", role: ApiKeyRole.CUSTOMER, customerId: c })).apiKey!.id }),
    listAuditRecords: async (c) => ({ customerId: c }),
    createPortalSession: async (c) => ({ customerId: c }),
    getStorage: async () => ({}),
    // Nothing is past retention here, so even an admin's real prune drops nothing.
    pruneStorage: async () => ({ dryRun: false }),
  };

  beforeAll(async () => {
    t = await startTestApp(kind);
    fixtures.set(OWN, await fixture(OWN));
    fixtures.set(OTHER, await fixture(OTHER));
    keys.set("none", undefined);
    keys.set("bad", "phk_" + "x".repeat(43));
    keys.set("admin", await newKey({ name: "admin", role: ApiKeyRole.ADMIN }));
    keys.set("emitter", await newKey({ name: "emitter", role: ApiKeyRole.EMITTER }));
    keys.set("emitter cus_a", await newKey({ name: "emitter a", role: ApiKeyRole.EMITTER, emitCustomerIds: [OWN] }));
    keys.set("customer cus_a", await newKey({ name: "customer a", role: ApiKeyRole.CUSTOMER, customerId: OWN }));
    const revoked = await t.client.createApiKey({ name: "revoked", role: ApiKeyRole.ADMIN });
    await t.client.revokeApiKey({ id: revoked.apiKey!.id });
    keys.set("revoked", revoked.key);
    keys.set("expired", await newKey({ name: "expires", role: ApiKeyRole.ADMIN, expireTime: timestampFromMs(t.clock.nowMs() + 60_000) }));
    t.clock.advance(120_000);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await t?.close();
  });

  it("covers every method of the service, and the server has a rule for each", () => {
    const methods = WebhookService.methods.map((m) => m.localName).sort();
    expect(Object.keys(requests).sort()).toEqual(methods);
    expect(Object.keys(ACCESS_RULES).sort()).toEqual(methods);
  });

  const cases = WebhookService.methods.flatMap((method) =>
    CREDENTIALS.flatMap((credential) =>
      (["own", "other"] as const).map((target) => ({
        method: method.localName as MethodName,
        credential,
        target,
        outcome: expected(method.localName as MethodName, credential, target),
      })),
    ),
  );

  it.each(cases.map((c) => ({ ...c, title: `${c.method} × ${c.credential} × ${c.target} → ${typeof c.outcome === "string" ? c.outcome : status[c.outcome]}` })))(
    "$title",
    async ({ method, credential, target, outcome }) => {
      const key = keys.get(credential);
      const client = createWebhookClient({ address: t.app.address!, maxRetries: 0, ...(key ? { metadata: bearer(key) } : {}) });
      clients.push(client);
      const customerId = target === "own" ? OWN : OTHER;
      const request = await requests[method](customerId);
      const result = await call(client, method, request, t.app.address!, key);
      if (outcome === "ok" || outcome === "empty") {
        expect(result, `${method} answered ${result instanceof PosthornError ? result.message : ""}`).not.toBeInstanceOf(PosthornError);
        if (method === "watchDeliveries") return;
        const rows = listedRows(result as object);
        if (outcome === "empty") expect(rows).toEqual([]);
        else if (rows !== undefined && credential === "customer cus_a") {
          expect(rows.length).toBeGreaterThan(0);
          expect(rows.every((row) => row.customerId === OWN)).toBe(true);
        }
        return;
      }
      expect(result).toBeInstanceOf(PosthornError);
      const error = result as PosthornError;
      expect(error.codeName, error.details).toBe(status[outcome]);
      if (outcome === status.NOT_FOUND) {
        // Exactly the answer to an id that does not exist.
        const id = idOf(request);
        expect(error.details).toBe(`${BY_ID[method]} "${id}" not found`);
      }
    },
  );
});

/**
 * Calls `method`; resolves to the response, or the PosthornError. WatchDeliveries goes through a
 * raw grpc-js call: the server sends headers once the watch is live, so "accepted" is the
 * headers and a refusal is the error status, with no waiting for a message.
 */
async function call(client: WebhookClient, method: MethodName, request: object, address: string, key: string | undefined): Promise<unknown> {
  if (method === "watchDeliveries") {
    const raw = new Client(address, credentials.createInsecure());
    const metadata = new Metadata();
    if (key) metadata.set("authorization", `Bearer ${key}`);
    const stream = raw.makeServerStreamRequest(
      `/${WebhookService.typeName}/WatchDeliveries`,
      (value: Buffer) => value,
      (value: Buffer) => value,
      Buffer.from(toBinary(WatchDeliveriesRequestSchema, create(WatchDeliveriesRequestSchema, request))),
      metadata,
    );
    try {
      return await new Promise((resolve) => {
        stream.on("metadata", () => resolve({ open: true }));
        stream.on("error", (error: ServiceError) => resolve(new PosthornError(error.code, error.details, error.metadata)));
        stream.on("data", () => {});
      });
    } finally {
      stream.cancel();
      raw.close();
    }
  }
  const fn = (client as unknown as Record<string, (request: object) => Promise<unknown>>)[method]!;
  return fn(request).catch((error: unknown) => {
    if (error instanceof PosthornError) return error;
    throw error;
  });
}

/** The rows of a list response (subscriptions, events, deliveries, keys, records), or undefined. */
function listedRows(response: object): { customerId?: string }[] | undefined {
  for (const field of ["subscriptions", "events", "deliveries"]) {
    const rows = (response as Record<string, unknown>)[field];
    if (Array.isArray(rows)) return rows as { customerId?: string }[];
  }
  return undefined;
}

function idOf(request: object): string {
  const r = request as { id?: string; subscriptionId?: string; subscription?: { id: string } };
  return r.id ?? r.subscriptionId ?? r.subscription!.id;
}
