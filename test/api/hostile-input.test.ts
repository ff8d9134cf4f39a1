import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { create, toBinary, type DescMessage, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { captureLog } from "../helpers/capture-log.js";
import { PosthornError, status, type WebhookClient } from "@posthorn/sdk";
import { WebhookService } from "@posthorn/proto";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { UNKNOWN } from "./expect-error.js";

/**
 * The hostile-input suite (issue 11): every row is one bad request, sent through the real SDK
 * and, encoded by hand, through a raw gRPC client (rows of hand-built bytes go raw only, for
 * what the SDK cannot send: bad UTF-8, truncated fields, negative uint32s). For every row: the
 * code, the message starting with `<field>: `, and no row written or changed anywhere.
 *
 * To add a case, add a row: `{ rpc, request, code, field }` (or `bytes` instead of `request`).
 * `request`/`bytes` may be functions of the seeded objects (a real subscription and event).
 */

type Method = (typeof WebhookService.methods)[number];
type Init = Record<string, unknown>;

/** What the suite seeds before the rows run: one subscription, one event, one delivery. */
interface Seed {
  subscriptionId: string;
  eventId: string;
  customerId: string;
}

interface Row {
  /** The RPC's proto name, e.g. "ListEvents". */
  rpc: string;
  /** A request in the SDK's init shape; sent through the SDK and, encoded, through raw gRPC. */
  request?: Init | ((seed: Seed) => Init);
  /** Hand-built request bytes, sent through raw gRPC only. */
  bytes?: (seed: Seed) => Uint8Array;
  code: status;
  /** The field the message names first (`<field>: …`). */
  field: string;
  /** What the rest of the message must match, when it matters. */
  reason?: RegExp;
}

const IA = status.INVALID_ARGUMENT;
const FP = status.FAILED_PRECONDITION;
/** The idempotency key of the seeded event. */
const SEED_KEY = "seed-key";
const cus = "cus_hostile";
const emit = { type: "lead.created", customerId: cus };

/** Control characters a string field must refuse (NUL first: PostgreSQL text cannot hold it). */
const CONTROLS = ["\u0000", "\u0001", "\u001b", "\u007f", "\n", "\u0085", "\u2028"];
/** Control characters that free text (description) must refuse; tab and line breaks are allowed there. */
const TEXT_CONTROLS = ["\u0000", "\u0007", "\u001b", "\u007f", "\u0085"];

/** A page token as the server encodes it, for tampering (`p2:<list>:<o|n>:<seq>` in base64url). */
const token = (text: string) => Buffer.from(text).toString("base64url");
const LISTS = { ListEvents: "events", ListSubscriptions: "subscriptions", ListDeliveries: "deliveries" } as const;
const OTHER_LIST = { events: "subscriptions", subscriptions: "deliveries", deliveries: "events" } as const;

function tokenRows(): Row[] {
  return Object.entries(LISTS).flatMap(([rpc, list]) => {
    const refused = (pageToken: string, reason?: RegExp, extra: Init = {}): Row => ({ rpc, request: { pageToken, ...extra }, code: IA, field: "page_token", reason });
    return [
      refused(token(`p2:${list}:o:9999999999999999999`)), // beyond bigint: was INTERNAL
      refused(token(`p2:${list}:o:9223372036854775808`)),
      refused(token(`p2:${list}:o:-1`)),
      refused(token(`p2:${list}:o:1e3`)),
      refused(token(`p2:${list}:o:12345678901234567890123`)),
      refused(token(`p2:${list}:x:5`)),
      refused("!!!!"),
      refused("a b"),
      refused(token(`p2:${list}:o:5`) + "\u0000"),
      refused(token(`p2:${OTHER_LIST[list]}:o:5`), new RegExp(`belongs to the ${OTHER_LIST[list]} list`)),
      refused(token(`p2:nolist:o:5`)),
      refused(token(`p2:${list}:n:5`), /newest_first: true/),
      refused(token(`p2:${list}:o:5`), /newest_first: false/, { newestFirst: true }),
      refused("A".repeat(100 * 1024), /102400 characters; tokens are at most 128/),
      { rpc, request: { pageSize: -1 }, code: IA, field: "page_size" },
      { rpc, request: { pageSize: 2_147_483_647 }, code: IA, field: "page_size" },
      { rpc, request: { pageSize: -2_147_483_648 }, code: IA, field: "page_size" },
    ];
  });
}

/** Every string field of every request, with each control character. */
function controlRows(): Row[] {
  const rows: Row[] = [];
  for (const c of CONTROLS) {
    const bad = (text: string) => text.slice(0, 3) + c + text.slice(3);
    rows.push(
      { rpc: "Emit", request: { ...emit, customerId: bad(cus) }, code: IA, field: "customer_id" },
      { rpc: "Emit", request: { ...emit, type: bad("lead.created") }, code: IA, field: "type" },
      { rpc: "Emit", request: { ...emit, idempotencyKey: bad("key-1") }, code: IA, field: "idempotency_key" },
      { rpc: "EmitBatch", request: { events: [emit, { ...emit, idempotencyKey: bad("key-2") }] }, code: IA, field: "events[1].idempotency_key" },
      { rpc: "Subscribe", request: { customerId: bad(cus), endpointUrl: "https://example.com/h" }, code: IA, field: "customer_id" },
      { rpc: "Subscribe", request: { customerId: cus, endpointUrl: `https://example.com/h${c}x` }, code: IA, field: "endpoint_url" },
      { rpc: "Subscribe", request: { customerId: cus, endpointUrl: `${c}https://example.com/h` }, code: IA, field: "endpoint_url" },
      { rpc: "Subscribe", request: { customerId: cus, endpointUrl: "https://example.com/h", eventTypes: [bad("lead.created")] }, code: IA, field: "event_types[0]" },
      { rpc: "ListEvents", request: { customerId: bad(cus) }, code: IA, field: "customer_id" },
      { rpc: "ListEvents", request: { type: bad("lead.created") }, code: IA, field: "type" },
      { rpc: "ListSubscriptions", request: { customerId: bad(cus) }, code: IA, field: "customer_id" },
      { rpc: "ListDeliveries", request: { customerId: bad(cus) }, code: IA, field: "customer_id" },
      { rpc: "ListDeliveries", request: (s) => ({ eventId: bad(s.eventId) }), code: IA, field: "event_id" },
      { rpc: "ListDeliveries", request: (s) => ({ subscriptionId: bad(s.subscriptionId) }), code: IA, field: "subscription_id" },
      { rpc: "WatchDeliveries", request: { customerId: bad(cus) }, code: IA, field: "customer_id" },
      { rpc: "WatchDeliveries", request: (s) => ({ subscriptionId: bad(s.subscriptionId) }), code: IA, field: "subscription_id" },
      { rpc: "GetEvent", request: (s) => ({ id: bad(s.eventId) }), code: IA, field: "id" },
      { rpc: "GetSubscription", request: (s) => ({ id: bad(s.subscriptionId) }), code: IA, field: "id" },
      { rpc: "DeleteSubscription", request: (s) => ({ id: bad(s.subscriptionId) }), code: IA, field: "id" },
      { rpc: "RotateSubscriptionSecret", request: (s) => ({ id: bad(s.subscriptionId) }), code: IA, field: "id" },
      { rpc: "GetDelivery", request: { id: bad(UNKNOWN.delivery) }, code: IA, field: "id" },
      { rpc: "RetryDelivery", request: { id: bad(UNKNOWN.delivery) }, code: IA, field: "id" },
      { rpc: "RecoverFailedDeliveries", request: (s) => ({ subscriptionId: bad(s.subscriptionId), since: { seconds: 0n } }), code: IA, field: "subscription_id" },
      { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: bad(s.subscriptionId) }, updateMask: { paths: ["enabled"] } }), code: IA, field: "subscription.id" },
      { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: s.subscriptionId, endpointUrl: `https://example.com/${c}` }, updateMask: { paths: ["endpoint_url"] } }), code: IA, field: "subscription.endpoint_url" },
      { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: s.subscriptionId, eventTypes: [bad("lead.created")] }, updateMask: { paths: ["event_types"] } }), code: IA, field: "subscription.event_types[0]" },
      { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: s.subscriptionId, enabled: false }, updateMask: { paths: ["enabled", bad("enabled")] } }), code: IA, field: "update_mask.paths[1]" },
    );
  }
  for (const c of TEXT_CONTROLS) {
    rows.push(
      { rpc: "Subscribe", request: { customerId: cus, endpointUrl: "https://example.com/h", description: `a${c}b` }, code: IA, field: "description", reason: /control characters other than tab and line breaks, got U\+00[0-9A-F]{2}$/ },
      { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: s.subscriptionId, description: `a${c}b` }, updateMask: { paths: ["description"] } }), code: IA, field: "subscription.description" },
    );
  }
  return rows;
}

/** `{a: {a: … 1}}`, `levels` objects deep (the outermost is level 1). */
function nested(levels: number): Init {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value as Init;
}

const wide = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]));

const timestamp = (seconds: bigint, nanos = 0) => ({ seconds, nanos });
const recover = (since: object) => (s: Seed) => ({ subscriptionId: s.subscriptionId, since });

/** Encodes `init` as `rpc`'s request message. */
function encode(rpc: string, init: Init): Uint8Array {
  return toBinary(methodOf(rpc).input, create(methodOf(rpc).input as DescMessage, init as MessageInitShape<DescMessage>));
}

/** Hand-built `google.protobuf.Struct` and `Value` bytes, for what the SDK cannot encode. */
const struct = (entries: [string, Uint8Array][]) => {
  const writer = new BinaryWriter();
  for (const [key, value] of entries) {
    writer.tag(1, WireType.LengthDelimited).bytes(new BinaryWriter().tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).bytes(value).finish());
  }
  return writer.finish();
};
const numberValue = (n: number) => new BinaryWriter().tag(2, WireType.Bit64).double(n).finish();
/** `{"a": {"a": … 1}}`, `levels` Structs deep, built without recursion. */
function deepStruct(levels: number): Uint8Array {
  let inner = struct([["a", numberValue(1)]]);
  for (let i = 1; i < levels; i++) inner = struct([["a", new BinaryWriter().tag(5, WireType.LengthDelimited).bytes(inner).finish()]]);
  return inner;
}
const structValue = (inner: Uint8Array) => new BinaryWriter().tag(5, WireType.LengthDelimited).bytes(inner).finish();
const listValue = (values: Uint8Array[]) => {
  const list = new BinaryWriter();
  for (const value of values) list.tag(1, WireType.LengthDelimited).bytes(value);
  return new BinaryWriter().tag(6, WireType.LengthDelimited).bytes(list.finish()).finish();
};
/** EmitRequest bytes with `data` as given. */
const emitBytes = (data: Uint8Array) =>
  new BinaryWriter().tag(1, WireType.LengthDelimited).string(emit.type).tag(2, WireType.LengthDelimited).string(cus).tag(3, WireType.LengthDelimited).bytes(data).finish();

/** `bytes` with the first occurrence of the ASCII `marker` replaced by `replacement` (same length). */
function patch(bytes: Uint8Array, marker: string, replacement: number[]): Uint8Array {
  const at = Buffer.from(bytes).indexOf(marker);
  if (at < 0 || replacement.length !== marker.length) throw new Error(`marker ${marker} not found`);
  const copy = Uint8Array.from(bytes);
  copy.set(replacement, at);
  return copy;
}

const ROWS: Row[] = [
  ...tokenRows(),
  ...controlRows(),

  // Timestamps (google/protobuf/timestamp.proto: 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z, nanos 0..999999999).
  { rpc: "RecoverFailedDeliveries", request: recover(timestamp(253_402_300_800n)), code: IA, field: "since.seconds", reason: /between -62135596800 \(0001-01-01T00:00:00Z\) and 253402300799 \(9999-12-31T23:59:59Z\), got 253402300800$/ },
  { rpc: "RecoverFailedDeliveries", request: recover(timestamp(-62_135_596_801n)), code: IA, field: "since.seconds" },
  { rpc: "RecoverFailedDeliveries", request: recover(timestamp(9_223_372_036_854_775_807n)), code: IA, field: "since.seconds" },
  { rpc: "RecoverFailedDeliveries", request: recover(timestamp(-9_223_372_036_854_775_808n)), code: IA, field: "since.seconds" },
  { rpc: "RecoverFailedDeliveries", request: recover(timestamp(0n, 1_000_000_000)), code: IA, field: "since.nanos", reason: /between 0 and 999999999, got 1000000000$/ },
  { rpc: "RecoverFailedDeliveries", request: recover(timestamp(0n, -1)), code: IA, field: "since.nanos" },
  { rpc: "RecoverFailedDeliveries", request: recover(timestamp(0n, -2_147_483_648)), code: IA, field: "since.nanos" },
  { rpc: "RecoverFailedDeliveries", request: (s) => ({ subscriptionId: s.subscriptionId }), code: IA, field: "since" },

  // Durations and other numbers, and enums with numbers the proto does not define.
  { rpc: "RotateSubscriptionSecret", request: (s) => ({ id: s.subscriptionId, gracePeriodSeconds: 4_294_967_295 }), code: IA, field: "grace_period_seconds" },
  { rpc: "RotateSubscriptionSecret", request: (s) => ({ id: s.subscriptionId, gracePeriodSeconds: 604_801 }), code: IA, field: "grace_period_seconds" },
  {
    rpc: "RotateSubscriptionSecret", // uint32 -1 sent as a 10-byte varint: decodes as 4294967295
    bytes: (s) => new BinaryWriter().tag(1, WireType.LengthDelimited).string(s.subscriptionId).tag(2, WireType.Varint).int64(-1).finish(),
    code: IA,
    field: "grace_period_seconds",
  },
  { rpc: "Subscribe", request: { customerId: cus, endpointUrl: "https://example.com/h", signatureScheme: 3 }, code: IA, field: "signature_scheme" },
  { rpc: "Subscribe", request: { customerId: cus, endpointUrl: "https://example.com/h", signatureScheme: -1 }, code: IA, field: "signature_scheme" },
  { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: s.subscriptionId, signatureScheme: 99 }, updateMask: { paths: ["signature_scheme"] } }), code: IA, field: "subscription.signature_scheme" },
  { rpc: "ListDeliveries", request: { state: 99 }, code: IA, field: "state" },
  { rpc: "ListDeliveries", request: { state: -7 }, code: IA, field: "state" },

  // Deep and wide JSON.
  { rpc: "Emit", request: { ...emit, data: nested(33) }, code: IA, field: "data", reason: /^nested 33 levels deep \(at data(\.a){32}\); at most 32$/ },
  { rpc: "Emit", request: { ...emit, data: { list: [[[[nested(29)]]]] } }, code: IA, field: "data", reason: /^nested 34 levels deep \(at data\.list\[0\]\[0\]\[0\]\[0\](\.a){28}\); at most 32$/ },
  { rpc: "EmitBatch", request: { events: [emit, { ...emit, data: nested(40) }] }, code: IA, field: "events[1].data" },
  { rpc: "Emit", request: { ...emit, data: nested(60) }, code: IA, field: "request", reason: /could not be decoded as posthorn\.v1\.EmitRequest: .*recursion depth.*nested at most 32 levels/ },
  { rpc: "Emit", bytes: () => emitBytes(deepStruct(2000)), code: IA, field: "request" }, // the SDK's encoder overflows its stack on this
  { rpc: "Emit", request: { ...emit, data: wide }, code: IA, field: "data", reason: /^is \d+ bytes as canonical JSON; at most 262144 are accepted$/ },

  // A "__proto__" key, which protobuf-es would drop with its value while decoding (sent raw: the
  // JavaScript SDK drops it before sending; Go and Python SDKs send it).
  { rpc: "Emit", bytes: () => emitBytes(struct([["a", numberValue(1)], ["__proto__", structValue(struct([["x", numberValue(1)]]))]])), code: IA, field: 'data["__proto__"]', reason: /is not accepted .*; rename it$/ },
  { rpc: "Emit", bytes: () => emitBytes(struct([["a", listValue([numberValue(1), structValue(struct([["__proto__", numberValue(2)]]))])]])), code: IA, field: 'data.a[1]["__proto__"]' },
  {
    rpc: "EmitBatch",
    bytes: () => {
      const batch = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(emitBytes(struct([["s", new BinaryWriter().tag(3, WireType.LengthDelimited).string("__proto__").finish()]])));
      return batch.tag(1, WireType.LengthDelimited).bytes(emitBytes(struct([["odd key", structValue(struct([["__proto__", numberValue(1)]]))]]))).finish();
    },
    code: IA,
    field: 'events[1].data["odd key"]["__proto__"]',
  },

  // Integers a double cannot carry exactly (I-JSON, RFC 7493 section 2.2).
  { rpc: "Emit", request: { ...emit, data: { amount: 2 ** 53 } }, code: IA, field: "data.amount", reason: /send it as a string$/ },
  { rpc: "Emit", request: { ...emit, data: { amount: 9223372036854775808 } }, code: IA, field: "data.amount", reason: /^is the integer 9223372036854775808 or near it, beyond ±9007199254740991/ },
  { rpc: "Emit", request: { ...emit, data: { a: [1, { "odd key": -(2 ** 60) }] } }, code: IA, field: 'data.a[1]["odd key"]' },
  { rpc: "Emit", request: { ...emit, data: { big: 1e300 } }, code: IA, field: "data.big" },
  { rpc: "EmitBatch", request: { events: [{ ...emit, data: { n: 2 ** 64 } }] }, code: IA, field: "events[0].data.n" },
  { rpc: "Emit", request: { ...emit, data: { x: Number.NaN } }, code: IA, field: "data.x", reason: /NaN or infinite/ },

  // Idempotency key reused for a different request (the seeded event was emitted with SEED_KEY).
  { rpc: "Emit", request: { ...emit, data: { n: 2 }, idempotencyKey: SEED_KEY }, code: FP, field: "idempotency_key", reason: /used within the last 24 hours for a different request \(event evt_[0-9a-f]{24} has other data\)/ },
  { rpc: "Emit", request: { ...emit, type: "deal.won", data: { n: 1 }, idempotencyKey: SEED_KEY }, code: FP, field: "idempotency_key", reason: /has type "lead.created", this request "deal.won"/ },
  { rpc: "EmitBatch", request: { events: [{ ...emit, idempotencyKey: "fresh-key" }, { ...emit, data: { n: 3 }, idempotencyKey: SEED_KEY }] }, code: FP, field: "events[1].idempotency_key" },
  { rpc: "EmitBatch", request: { events: [{ ...emit, idempotencyKey: "twice" }, { ...emit, data: { n: 4 }, idempotencyKey: "twice" }] }, code: FP, field: "events[1].idempotency_key", reason: /also the key of events\[0\]/ },

  // Hosts DNS could never resolve (RFC 1035): a label over 63 octets, a name over 253.
  { rpc: "Subscribe", request: { customerId: cus, endpointUrl: `https://${"a".repeat(64)}.example.com/h` }, code: IA, field: "endpoint_url", reason: /host label of 64 characters; DNS labels have at most 63/ },
  { rpc: "Subscribe", request: { customerId: cus, endpointUrl: `https://${"ü".repeat(60)}.example.com/h` }, code: IA, field: "endpoint_url", reason: /host label of \d+ characters/ },
  { rpc: "Subscribe", request: { customerId: cus, endpointUrl: `https://${Array.from({ length: 5 }, () => "a".repeat(60)).join(".")}.com/h` }, code: IA, field: "endpoint_url", reason: /host name of 308 characters/ },
  { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: s.subscriptionId, endpointUrl: `https://${"b".repeat(70)}.com/h` }, updateMask: { paths: ["endpoint_url"] } }), code: IA, field: "subscription.endpoint_url" },

  // Batch and response sizes, views (the proto's "Sizes").
  { rpc: "EmitBatch", request: { events: [] }, code: IA, field: "events" },
  { rpc: "EmitBatch", request: { events: Array.from({ length: 501 }, () => emit) }, code: IA, field: "events", reason: /at most 500 events, got 501/ },
  { rpc: "EmitBatch", request: { events: Array.from({ length: 17 }, () => ({ ...emit, data: { text: "x".repeat(250_000) } })) }, code: IA, field: "events", reason: /a batch carries at most 4194304 \(4 MiB\): split the batch$/ },
  { rpc: "EmitBatch", request: { events: Array.from({ length: 16 }, () => ({ ...emit, data: { text: "x".repeat(250_000) } })), view: 2 }, code: IA, field: "view" },
  { rpc: "EmitBatch", request: { events: [{ ...emit, view: 1 }] }, code: IA, field: "events[0].view", reason: /set view on the batch$/ },
  { rpc: "Emit", request: { ...emit, view: 7 }, code: IA, field: "view" },
  { rpc: "ListEvents", request: { view: -1 }, code: IA, field: "view" },

  // Blank customers, and values quoted back cut on whole characters.
  { rpc: "Emit", request: { ...emit, customerId: "   " }, code: IA, field: "customer_id", reason: /must not be blank/ },
  { rpc: "Subscribe", request: { customerId: "\u3000", endpointUrl: "https://example.com/h" }, code: IA, field: "customer_id", reason: /must not be blank/ },
  { rpc: "ListEvents", request: { customerId: " " }, code: IA, field: "customer_id" },
  { rpc: "Emit", request: { ...emit, type: "a" + "😊".repeat(120) }, code: IA, field: "type", reason: /^unknown event type "a(😊){99}…"/ },

  // Ids of the wrong kind.
  { rpc: "ListDeliveries", request: { eventId: UNKNOWN.subscription }, code: IA, field: "event_id" },
  { rpc: "ListDeliveries", request: { subscriptionId: UNKNOWN.event }, code: IA, field: "subscription_id" },
  { rpc: "WatchDeliveries", request: { subscriptionId: UNKNOWN.delivery }, code: IA, field: "subscription_id" },
  { rpc: "WatchDeliveries", request: { subscriptionId: "sub_1" }, code: IA, field: "subscription_id" },
  { rpc: "GetEvent", request: (s) => ({ id: s.subscriptionId }), code: IA, field: "id" },
  { rpc: "GetSubscription", request: (s) => ({ id: s.eventId }), code: IA, field: "id" },
  { rpc: "GetDelivery", request: (s) => ({ id: s.eventId }), code: IA, field: "id" },
  { rpc: "RetryDelivery", request: (s) => ({ id: s.subscriptionId }), code: IA, field: "id" },
  { rpc: "RecoverFailedDeliveries", request: (s) => ({ subscriptionId: s.eventId, since: { seconds: 0n } }), code: IA, field: "subscription_id" },

  // Overlong strings.
  { rpc: "ListEvents", request: { customerId: "c".repeat(256) }, code: IA, field: "customer_id" },
  { rpc: "ListEvents", request: { type: "t".repeat(100_000) }, code: IA, field: "type" },
  { rpc: "UpdateSubscription", request: (s) => ({ subscription: { id: s.subscriptionId }, updateMask: { paths: ["p".repeat(100_000)] } }), code: IA, field: "update_mask.paths[0]", reason: /^"p{100}…" cannot be updated/ },

  // Bytes that do not decode: grpc-js would answer INTERNAL "Error deserializing request".
  { rpc: "Emit", bytes: () => patch(encode("Emit", { ...emit, customerId: "cus_XY" }), "XY", [0xc3, 0x28]), code: IA, field: "request", reason: /could not be decoded as posthorn\.v1\.EmitRequest/ },
  { rpc: "ListEvents", bytes: () => patch(encode("ListEvents", { type: "aXYb" }), "XY", [0xed, 0xa0]), code: IA, field: "request" },
  { rpc: "Subscribe", bytes: () => patch(encode("Subscribe", { customerId: cus, endpointUrl: "https://example.com/h", description: "XY" }), "XY", [0xff, 0xfe]), code: IA, field: "request" },
  { rpc: "GetEvent", bytes: () => Uint8Array.from([0x0a, 0x05, 0x65]), code: IA, field: "request", reason: /could not be decoded as posthorn\.v1\.GetEventRequest/ },
  { rpc: "WatchDeliveries", bytes: () => patch(encode("WatchDeliveries", { customerId: "cXY" }), "XY", [0xc0, 0x80]), code: IA, field: "request" },
];

function methodOf(rpc: string): Method {
  const method = WebhookService.methods.find((m) => m.name === rpc);
  if (!method) throw new Error(`no RPC ${rpc}`);
  return method;
}

/** Each row as the calls it makes: through the SDK and raw for `request`, raw only for `bytes`. */
const CASES = ROWS.flatMap((row, index) =>
  row.request ? [{ index, via: "sdk" as const, ...row }, { index, via: "raw" as const, ...row }] : [{ index, via: "raw" as const, ...row }],
);

/** The code and message a call failed with; throws if it succeeded. */
type Failure = { code: number; details: string; metadata: Metadata | undefined };

/** Metadata carrying the test server's admin key. */
function adminMetadata(): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${TEST_ADMIN_KEY}`);
  return metadata;
}

async function callSdk(client: WebhookClient, rpc: string, request: Init): Promise<Failure> {
  const method = methodOf(rpc);
  const fn = (client as unknown as Record<string, (r: Init) => unknown>)[method.localName]!;
  try {
    if (method.methodKind === "server_streaming") {
      for await (const _ of fn(request) as AsyncIterable<unknown>) break;
    } else {
      await fn(request);
    }
  } catch (error) {
    expect(error).toBeInstanceOf(PosthornError);
    const failure = error as PosthornError;
    return { code: failure.code, details: failure.details, metadata: failure.metadata };
  }
  throw new Error(`${rpc} succeeded`);
}

async function callRaw(raw: Client, rpc: string, bytes: Uint8Array): Promise<Failure> {
  const method = methodOf(rpc);
  const path = `/${WebhookService.typeName}/${method.name}`;
  const identity = (b: Buffer) => b;
  const deadline = Date.now() + 60_000;
  return new Promise((resolve, reject) => {
    const fail = (error: ServiceError) => resolve({ code: error.code, details: error.details, metadata: error.metadata });
    if (method.methodKind === "server_streaming") {
      const call = raw.makeServerStreamRequest(path, identity, identity, Buffer.from(bytes), adminMetadata(), { deadline });
      call.on("data", () => {
        call.cancel();
        reject(new Error(`${rpc} streamed a response`));
      });
      call.on("error", fail);
      return;
    }
    raw.makeUnaryRequest(path, identity, identity, Buffer.from(bytes), adminMetadata(), { deadline }, (error, value) =>
      error ? fail(error) : reject(new Error(`${rpc} succeeded with ${value?.length} bytes`)),
    );
  });
}

/** Every row count and the subscriptions' last change: what a failed call must leave as it was. */
async function fingerprint(t: TestApp): Promise<Record<string, unknown>> {
  const { rows } = await sql<Record<string, unknown>>`
    select (select count(*) from events)::text as events,
           (select count(*) from subscriptions)::text as subscriptions,
           (select count(*) from deliveries)::text as deliveries,
           (select count(*) from attempts)::text as attempts,
           (select max(updated_at) from subscriptions)::text as subscriptions_updated,
           (select max(updated_at) from deliveries)::text as deliveries_updated`.execute(t.app.store.db);
  return rows[0]!;
}

describe.each(STORES)("hostile input (%s)", (kind) => {
  let t: TestApp;
  let raw: Client;
  let seed: Seed;
  const log = captureLog();

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { logger: log.logger });
    raw = new Client(t.app.address!, credentials.createInsecure());
    const { subscription } = await t.client.subscribe({ customerId: cus, endpointUrl: "https://example.com/hook" });
    const { event } = await t.client.emit({ ...emit, data: { n: 1 }, idempotencyKey: SEED_KEY });
    seed = { subscriptionId: subscription!.id, eventId: event!.id, customerId: cus };
  });
  afterAll(async () => {
    raw?.close();
    await t?.close();
  });

  it.each(CASES.map((c) => ({ ...c, title: `#${c.index} ${c.rpc} ${c.field} (${c.via})` })))("$title", async ({ rpc, request, bytes, via, code, field, reason }) => {
    const before = await fingerprint(t);
    const logged = log.lines.length;
    const init = typeof request === "function" ? request(seed) : request;
    const failure =
      via === "sdk" ? await callSdk(t.client, rpc, init!) : await callRaw(raw, rpc, bytes ? bytes(seed) : encode(rpc, init!));

    expect({ code: status[failure.code], field: failure.details.slice(0, field.length + 2) }).toEqual({ code: status[code], field: `${field}: ` });
    if (reason) expect(failure.details.slice(field.length + 2)).toMatch(reason);
    expect(failure.details.length).toBeLessThan(1000);
    expect(await fingerprint(t)).toEqual(before);
    if (field === "request") {
      // A request that does not decode is logged as a warning, with the method.
      expect(log.lines.slice(logged)).toContainEqual(expect.objectContaining({ level: 40, method: rpc, msg: "request could not be decoded" }));
    }
  });

  it("accepts what lies just inside each limit", async () => {
    const boundary = Number.MAX_SAFE_INTEGER;
    const { event } = await t.client.emit({ ...emit, data: { deep: nested(31) as JsonObject, n: boundary, m: -boundary, f: 0.1, g: -1.5e-300 } });
    const stored = await t.client.getEvent({ id: event!.id });
    expect(new TextDecoder().decode(stored.event!.envelope)).toContain(`"n":${boundary}`);
    const { event: named } = await t.client.emit({ ...emit, data: { s: "__proto__", constructor: 1, __proto__x: 2 }, view: 2 });
    expect(new TextDecoder().decode(named!.envelope)).toContain('"data":{"__proto__x":2,"constructor":1,"s":"__proto__"}');
    const { subscription } = await t.client.subscribe({ customerId: cus, endpointUrl: "https://example.com/h2", description: "line 1\n\tline 2\r\n" });
    const longest = `https://${"a".repeat(63)}.example.com/h`;
    expect((await t.client.subscribe({ customerId: cus, endpointUrl: longest })).subscription!.endpointUrl).toBe(longest);
    expect(subscription!.description).toBe("line 1\n\tline 2\r\n");
    const since = { seconds: 253_402_300_799n, nanos: 999_999_999 };
    expect((await t.client.recoverFailedDeliveries({ subscriptionId: seed.subscriptionId, since })).recoveredDeliveries).toBe(0);
    const first = { seconds: -62_135_596_800n, nanos: 0 };
    expect((await t.client.recoverFailedDeliveries({ subscriptionId: seed.subscriptionId, since: first })).recoveredDeliveries).toBe(0);
    const page = await t.client.listEvents({ customerId: cus, pageSize: 1 });
    expect((await t.client.listEvents({ customerId: cus, pageSize: 1, pageToken: page.nextPageToken })).events).toHaveLength(1);
  });
});

describe.each(STORES)("INTERNAL (%s)", (kind) => {
  let t: TestApp;
  const log = captureLog();

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { logger: log.logger });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("carries a request id that the server's log line of the failure also carries", async () => {
    // A real failure the API cannot map: the table it reads is gone.
    await sql`alter table subscriptions rename to subscriptions_gone`.execute(t.app.store.db);
    const failure = await callSdk(t.client, "ListSubscriptions", {});
    expect(status[failure.code]).toBe("INTERNAL");
    const match = /^internal error \(request id (req_[0-9a-f]{16})\); the server log has the details$/.exec(failure.details);
    expect(match, failure.details).not.toBeNull();
    const requestId = match![1]!;
    expect(failure.metadata?.get("posthorn-request-id")).toEqual([requestId]);
    expect(failure.details).not.toMatch(/subscriptions/);
    const line = log.lines.find((l) => l.requestId === requestId);
    expect(line).toMatchObject({ level: 50, method: "ListSubscriptions", msg: "request failed", err: expect.objectContaining({ message: expect.stringMatching(/subscriptions/) }) });

    const again = await callSdk(t.client, "ListSubscriptions", {});
    expect(again.details).not.toBe(failure.details);
    await sql`alter table subscriptions_gone rename to subscriptions`.execute(t.app.store.db);
  });
});
