import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { status, type DeliveryState, type WebhookClient } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal, UNKNOWN } from "./expect-error.js";

type Row = [rpc: string, call: (c: WebhookClient) => Promise<unknown>, code: status, message: RegExp];

const IA = status.INVALID_ARGUMENT;
const NF = status.NOT_FOUND;
const SUB_ID = /is not a subscription id \(expected sub_ \+ 24 lowercase hex characters\)$/;
const EVT_ID = /is not an event id \(expected evt_ \+ 24 lowercase hex characters\)$/;
const DLV_ID = /is not a delivery id \(expected dlv_ \+ 24 lowercase hex characters\)$/;
const PAGE_SIZE = (n: number) => literal(`page_size: must be between 0 and 1000 (0 means 50), got ${n}`);
const PAGE_TOKEN = literal("page_token: is not a token from a previous response of this list");
const BAD_TOKENS = ["garbage!", Buffer.from("p1:abc").toString("base64url"), Buffer.from("p2:5").toString("base64url"), Buffer.from("p1:5").toString("base64url"), Buffer.from("p1:nope:5").toString("base64url"), Buffer.from("p1:" + "9".repeat(20)).toString("base64url")];
const cus = "cus_bad_inputs";
const emit = { type: "lead.created", customerId: cus };

/** Every RPC's bad inputs: the expected code and `<field>: <reason>` message. */
const ROWS: Row[] = [
  ["Emit", (c) => c.emit({ ...emit, type: "" }), IA, literal("type: is required")],
  ["Emit", (c) => c.emit({ ...emit, type: "Lead.Created" }), IA, /^type: unknown event type "Lead.Created"/],
  ["Emit", (c) => c.emit({ ...emit, customerId: "" }), IA, literal("customer_id: is required")],
  ["Emit", (c) => c.emit({ ...emit, customerId: "x".repeat(256) }), IA, literal("customer_id: must be at most 255 characters, got 256")],
  ["Emit", (c) => c.emit({ ...emit, customerId: "cus\u0000x" }), IA, literal("customer_id: must not contain control characters")],
  ["Emit", (c) => c.emit({ ...emit, idempotencyKey: "k".repeat(256) }), IA, literal("idempotency_key: must be at most 255 characters, got 256")],
  ["Emit", (c) => c.emit({ ...emit, idempotencyKey: "a\nb" }), IA, literal("idempotency_key: must not contain control characters")],
  ["Emit", (c) => c.emit({ ...emit, data: { deep: { list: [0, Number.POSITIVE_INFINITY] } } }), IA, literal("data.deep.list[1]: is NaN or infinite, which JSON cannot carry")],
  ["Emit", (c) => c.emit({ ...emit, data: { big: "x".repeat(256 * 1024) } }), IA, /^data: is 262154 bytes as canonical JSON; at most 262144 are accepted$/],
  ["EmitBatch", (c) => c.emitBatch({ events: [] }), IA, literal("events: must hold at least one event")],
  ["EmitBatch", (c) => c.emitBatch({ events: [emit, emit, emit, { ...emit, customerId: "" }] }), IA, literal("events[3].customer_id: is required")],
  ["Subscribe", (c) => c.subscribe({ customerId: cus, endpointUrl: "mailto:a@example.com" }), IA, literal("endpoint_url: must use http or https, got mailto")],
  ["Subscribe", (c) => c.subscribe({ customerId: "", endpointUrl: "https://example.com" }), IA, literal("customer_id: is required")],
  ["GetSubscription", (c) => c.getSubscription({ id: "" }), IA, literal("id: is required")],
  ["GetSubscription", (c) => c.getSubscription({ id: "sub_123" }), IA, new RegExp("^id: " + SUB_ID.source)],
  ["GetSubscription", (c) => c.getSubscription({ id: "sub_" + "A".repeat(24) }), IA, new RegExp("^id: " + SUB_ID.source)],
  ["GetSubscription", (c) => c.getSubscription({ id: UNKNOWN.event }), IA, new RegExp("^id: " + SUB_ID.source)],
  ["GetSubscription", (c) => c.getSubscription({ id: UNKNOWN.subscription }), NF, literal(`subscription "${UNKNOWN.subscription}" not found`)],
  ["ListSubscriptions", (c) => c.listSubscriptions({ pageSize: 1001 }), IA, PAGE_SIZE(1001)],
  ["ListSubscriptions", (c) => c.listSubscriptions({ pageSize: -1 }), IA, PAGE_SIZE(-1)],
  ...BAD_TOKENS.map((pageToken): Row => ["ListSubscriptions", (c) => c.listSubscriptions({ pageToken }), IA, PAGE_TOKEN]),
  ["UpdateSubscription", (c) => c.updateSubscription({ subscription: { id: UNKNOWN.subscription }, updateMask: { paths: [] } }), IA, /^update_mask: must name at least one of /],
  ["UpdateSubscription", (c) => c.updateSubscription({ subscription: { id: "" }, updateMask: { paths: ["enabled"] } }), IA, literal("subscription.id: is required")],
  ["UpdateSubscription", (c) => c.updateSubscription({ subscription: { id: UNKNOWN.subscription }, updateMask: { paths: ["enabled", "nope"] } }), IA, /^update_mask\.paths\[1\]: "nope" cannot be updated/],
  ["DeleteSubscription", (c) => c.deleteSubscription({ id: "" }), IA, literal("id: is required")],
  ["DeleteSubscription", (c) => c.deleteSubscription({ id: UNKNOWN.delivery }), IA, new RegExp("^id: " + SUB_ID.source)],
  ["DeleteSubscription", (c) => c.deleteSubscription({ id: UNKNOWN.subscription }), NF, literal(`subscription "${UNKNOWN.subscription}" not found`)],
  ["RotateSubscriptionSecret", (c) => c.rotateSubscriptionSecret({ id: "sub_" }), IA, new RegExp("^id: " + SUB_ID.source)],
  ["RotateSubscriptionSecret", (c) => c.rotateSubscriptionSecret({ id: UNKNOWN.subscription }), NF, literal(`subscription "${UNKNOWN.subscription}" not found`)],
  ["RotateSubscriptionSecret", (c) => c.rotateSubscriptionSecret({ id: UNKNOWN.subscription, gracePeriodSeconds: 604_801 }), IA, literal("grace_period_seconds: must be at most 604800 (7 days), got 604801")],
  ["GetEvent", (c) => c.getEvent({ id: "" }), IA, literal("id: is required")],
  ["GetEvent", (c) => c.getEvent({ id: "evt_" + "0".repeat(23) }), IA, new RegExp("^id: " + EVT_ID.source)],
  ["GetEvent", (c) => c.getEvent({ id: " " + UNKNOWN.event }), IA, new RegExp("^id: " + EVT_ID.source)],
  ["GetEvent", (c) => c.getEvent({ id: UNKNOWN.event }), NF, literal(`event "${UNKNOWN.event}" not found`)],
  ["ListEvents", (c) => c.listEvents({ pageSize: 1001 }), IA, PAGE_SIZE(1001)],
  ["ListEvents", (c) => c.listEvents({ pageSize: -50 }), IA, PAGE_SIZE(-50)],
  ...BAD_TOKENS.map((pageToken): Row => ["ListEvents", (c) => c.listEvents({ pageToken }), IA, PAGE_TOKEN]),
  ["ListDeliveries", (c) => c.listDeliveries({ eventId: "evt_x" }), IA, new RegExp("^event_id: " + EVT_ID.source)],
  ["ListDeliveries", (c) => c.listDeliveries({ subscriptionId: UNKNOWN.event }), IA, new RegExp("^subscription_id: " + SUB_ID.source)],
  ["ListDeliveries", (c) => c.listDeliveries({ state: 9 as DeliveryState }), IA, literal("state: unknown delivery state 9")],
  ["ListDeliveries", (c) => c.listDeliveries({ pageSize: 1001 }), IA, PAGE_SIZE(1001)],
  ["ListDeliveries", (c) => c.listDeliveries({ eventType: "lead\ncreated" }), IA, literal("event_type: must not contain control characters")],
  ["ListDeliveries", (c) => c.listDeliveries({ eventType: "t".repeat(256) }), IA, literal("event_type: must be at most 255 characters, got 256")],
  ["ListDeliveries", (c) => c.listDeliveries({ createdAfter: { seconds: 10n ** 12n, nanos: 0 } }), IA, /^created_after\.seconds: must be between /],
  ["ListDeliveries", (c) => c.listDeliveries({ createdBefore: { seconds: 0n, nanos: -1 } }), IA, literal("created_before.nanos: must be between 0 and 999999999, got -1")],
  [
    "ListDeliveries",
    (c) => c.listDeliveries({ createdAfter: timestampFromMs(Date.UTC(2026, 0, 2)), createdBefore: timestampFromMs(Date.UTC(2026, 0, 1)) }),
    IA,
    literal("created_before: must be later than created_after (2026-01-02T00:00:00.000Z), got 2026-01-01T00:00:00.000Z"),
  ],
  [
    "ListDeliveries",
    (c) => c.listDeliveries({ createdAfter: timestampFromMs(Date.UTC(2026, 0, 1)), createdBefore: timestampFromMs(Date.UTC(2026, 0, 1)) }),
    IA,
    /^created_before: must be later than created_after/,
  ],
  ...BAD_TOKENS.map((pageToken): Row => ["ListDeliveries", (c) => c.listDeliveries({ pageToken }), IA, PAGE_TOKEN]),
  ["GetDelivery", (c) => c.getDelivery({ id: "" }), IA, literal("id: is required")],
  ["GetDelivery", (c) => c.getDelivery({ id: UNKNOWN.subscription }), IA, new RegExp("^id: " + DLV_ID.source)],
  ["GetDelivery", (c) => c.getDelivery({ id: UNKNOWN.delivery }), NF, literal(`delivery "${UNKNOWN.delivery}" not found`)],
  ["RetryDelivery", (c) => c.retryDelivery({ id: "" }), IA, literal("id: is required")],
  ["RetryDelivery", (c) => c.retryDelivery({ id: UNKNOWN.delivery }), NF, literal(`delivery "${UNKNOWN.delivery}" not found`)],
  ["RecoverFailedDeliveries", (c) => c.recoverFailedDeliveries({ subscriptionId: "sub", since: timestampFromMs(0) }), IA, new RegExp("^subscription_id: " + SUB_ID.source)],
  ["RecoverFailedDeliveries", (c) => c.recoverFailedDeliveries({ subscriptionId: UNKNOWN.subscription }), IA, /^since: is required/],
  ["RecoverFailedDeliveries", (c) => c.recoverFailedDeliveries({ subscriptionId: UNKNOWN.subscription, since: timestampFromMs(0) }), NF, literal(`subscription "${UNKNOWN.subscription}" not found`)],
];

describe.each(STORES)("bad inputs (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(ROWS.map((row, index) => [index, ...row] as const))("#%i %s", async (_index, _rpc, call, code, message) => {
    await expectError(call(t.client), code, message);
  });

  it("the refused calls wrote nothing", async () => {
    expect((await t.client.listEvents({})).events).toEqual([]);
    expect((await t.client.listSubscriptions({})).subscriptions).toEqual([]);
    expect((await t.client.listDeliveries({})).deliveries).toEqual([]);
  });
});
