/**
 * The event catalog over gRPC (issue 15): Emit and EmitBatch check `data` against the type's JSON
 * Schema (the schema errors table), Emit refuses operational types, ListEventTypes returns the
 * entries and the operational types, and only the operational customer's subscriptions may name
 * operational types.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "@bufbuild/protobuf";
import { status } from "@posthorn/sdk";
import { OPERATIONAL_CATALOG } from "../../server/src/domain/operational-catalog.js";
import { OPERATIONAL_EVENT_DESCRIPTIONS, OPERATIONAL_EVENT_TYPES } from "../../server/src/domain/operational-events.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

const OPERATOR = "cus_operator";

const DEAL_SCHEMA = {
  type: "object",
  required: ["amount", "currency"],
  additionalProperties: false,
  properties: {
    amount: { type: "number", minimum: 0 },
    currency: { enum: ["EUR", "USD"] },
    customer: {
      type: "object",
      properties: { email: { type: "string", format: "email" }, since: { type: "string", format: "date-time" } },
    },
    lines: {
      type: "array",
      maxItems: 3,
      items: { type: "object", required: ["sku"], properties: { sku: { type: "string" }, qty: { type: "integer", minimum: 1 } } },
    },
    "odd/key~": { type: "string" },
  },
};
const DEAL_EXAMPLE = { amount: 1200, currency: "EUR", customer: { email: "ana@example.com" } };

const CATALOG = [
  { name: "deal.won", description: "A deal was closed as won.", schema: DEAL_SCHEMA, example: DEAL_EXAMPLE },
  "lead.created",
  { name: "note.added", description: "Free-form, no schema." },
];

const OK = Symbol("accepted");
const valid: JsonObject = { amount: 10, currency: "EUR" };

describe.each(STORES)("event catalog with schemas (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { eventTypes: CATALOG, operationalCustomerId: OPERATOR });
  });
  afterAll(async () => {
    await t?.close();
  });

  // [what, data of a deal.won Emit, the INVALID_ARGUMENT message or OK]
  const rows: [string, JsonObject | undefined, string | typeof OK][] = [
    ["valid data passes", valid, OK],
    ["valid nested data passes", { ...valid, customer: { email: "a@b.co", since: "2026-12-04T10:00:00Z" }, lines: [{ sku: "a", qty: 2 }], "odd/key~": "x" }, OK],
    ["type mismatch", { ...valid, amount: "10" }, "data/amount: must be number (schema: /properties/amount/type)"],
    ["missing required", { amount: 10 }, "data/currency: is required (schema: /required)"],
    ["unset data against required", undefined, "data/amount: is required (schema: /required); data/currency: is required (schema: /required)"],
    ["additionalProperties", { ...valid, note: "x" }, "data/note: is not allowed (not a property of the schema) (schema: /additionalProperties)"],
    ["enum", { ...valid, currency: "GBP" }, 'data/currency: must be one of "EUR", "USD" (schema: /properties/currency/enum)'],
    ["minimum", { ...valid, amount: -1 }, "data/amount: must be >= 0 (schema: /properties/amount/minimum)"],
    ["format email", { ...valid, customer: { email: "nobody" } }, 'data/customer/email: must match format "email" (schema: /properties/customer/properties/email/format)'],
    ["format date-time", { ...valid, customer: { since: "yesterday" } }, 'data/customer/since: must match format "date-time" (schema: /properties/customer/properties/since/format)'],
    ["nested pointer through an array index", { ...valid, lines: [{ sku: "a" }, { qty: 1 }] }, "data/lines/1/sku: is required (schema: /properties/lines/items/required)"],
    ["integer in an array item", { ...valid, lines: [{ sku: "a", qty: 1.5 }] }, "data/lines/0/qty: must be integer (schema: /properties/lines/items/properties/qty/type)"],
    ["maxItems", { ...valid, lines: [{ sku: "a" }, { sku: "b" }, { sku: "c" }, { sku: "d" }] }, "data/lines: must NOT have more than 3 items (schema: /properties/lines/maxItems)"],
    ["a key that needs pointer escaping (RFC 6901)", { ...valid, "odd/key~": 1 }, "data/odd~1key~0: must be string (schema: /properties/odd~1key~0/type)"],
    [
      "several errors, all listed",
      { amount: "x", currency: "GBP", extra: true },
      'data/extra: is not allowed (not a property of the schema) (schema: /additionalProperties); data/amount: must be number (schema: /properties/amount/type); data/currency: must be one of "EUR", "USD" (schema: /properties/currency/enum)',
    ],
    [
      "more than five errors: five, then a count",
      { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 },
      "data/amount: is required (schema: /required); data/currency: is required (schema: /required); data/a: is not allowed (not a property of the schema) (schema: /additionalProperties); data/b: is not allowed (not a property of the schema) (schema: /additionalProperties); data/c: is not allowed (not a property of the schema) (schema: /additionalProperties); …and 4 more",
    ],
  ];

  it.each(rows)("Emit deal.won: %s", async (_what, data, expected) => {
    const call = t.client.emit({ type: "deal.won", customerId: `cus_schema_${kind}`, ...(data === undefined ? {} : { data }) });
    if (expected === OK) {
      expect((await call).event!.type).toBe("deal.won");
      return;
    }
    await expectError(call, status.INVALID_ARGUMENT, literal(expected));
  });

  it("a type without a schema takes any object", async () => {
    const { event } = await t.client.emit({ type: "note.added", customerId: "cus_free", data: { anything: [1, "two", { three: null }] } });
    expect(event!.type).toBe("note.added");
  });

  it("EmitBatch names the event (events[i].data…) and writes nothing", async () => {
    const customerId = `cus_batch_${kind}`;
    await expectError(
      t.client.emitBatch({
        events: [
          { type: "deal.won", customerId, data: valid },
          { type: "lead.created", customerId, data: { x: 1 } },
          { type: "deal.won", customerId, data: { ...valid, customer: { email: "nope" } } },
        ],
      }),
      status.INVALID_ARGUMENT,
      literal('events[2].data/customer/email: must match format "email" (schema: /properties/customer/properties/email/format)'),
    );
    expect((await t.client.listEvents({ customerId })).events).toEqual([]);
    const ok = await t.client.emitBatch({ events: [{ type: "deal.won", customerId, data: valid }, { type: "lead.created", customerId }] });
    expect(ok.results).toHaveLength(2);
  });

  it("Emit refuses an operational type, saying only Posthorn emits it", async () => {
    for (const type of OPERATIONAL_EVENT_TYPES) {
      await expectError(t.client.emit({ type, customerId: OPERATOR }), status.INVALID_ARGUMENT, literal(`type: ${type} is an operational event type; only Posthorn emits it`));
    }
    await expectError(
      t.client.emitBatch({ events: [{ type: "lead.created", customerId: "cus_x" }, { type: "endpoint.failing", customerId: "cus_x" }] }),
      status.INVALID_ARGUMENT,
      literal("events[1].type: endpoint.failing is an operational event type; only Posthorn emits it"),
    );
  });

  it("ListEventTypes returns the catalog's entries in order, then the operational types", async () => {
    const { eventTypes, types } = await t.client.listEventTypes({});
    expect(eventTypes).toEqual(["deal.won", "lead.created", "note.added"]);
    expect(types.map(({ name, description, operational }) => ({ name, description, operational }))).toEqual([
      { name: "deal.won", description: "A deal was closed as won.", operational: false },
      { name: "lead.created", description: "", operational: false },
      { name: "note.added", description: "Free-form, no schema.", operational: false },
      ...OPERATIONAL_EVENT_TYPES.map((name) => ({ name, description: OPERATIONAL_EVENT_DESCRIPTIONS[name], operational: true })),
    ]);
    // Schema and example as Structs, unset where the catalog gives none.
    expect(types.slice(0, 3).map(({ schema, example }) => ({ schema, example }))).toEqual([
      { schema: DEAL_SCHEMA, example: DEAL_EXAMPLE },
      { schema: undefined, example: undefined },
      { schema: undefined, example: undefined },
    ]);
    // The operational ones carry what domain/operational-catalog.ts gives them.
    expect(types.slice(3).map(({ schema, example }) => ({ schema, example }))).toEqual(OPERATIONAL_CATALOG.map(({ schema, example }) => ({ schema, example })));
  });

  it("the example ListEventTypes returns passes Emit", async () => {
    const { types } = await t.client.listEventTypes({});
    const deal = types.find((type) => type.name === "deal.won")!;
    const { event } = await t.client.emit({ type: "deal.won", customerId: "cus_example", data: deal.example! });
    expect(event!.type).toBe("deal.won");
  });

  it("Subscribe and UpdateSubscription take operational types for the operational customer only", async () => {
    const endpointUrl = "https://ops.example.com/hooks";
    const { subscription } = await t.client.subscribe({ customerId: OPERATOR, endpointUrl, eventTypes: ["endpoint.disabled", "delivery.exhausted", "deal.won"] });
    expect(subscription!.eventTypes).toEqual(["endpoint.disabled", "delivery.exhausted", "deal.won"]);
    const updated = await t.client.updateSubscription({ subscription: { id: subscription!.id, eventTypes: ["secret.rotated"] }, updateMask: { paths: ["event_types"] } });
    expect(updated.subscription!.eventTypes).toEqual(["secret.rotated"]);

    const refusal = (field: string, type: string) =>
      literal(`${field}: ${type} is an operational event type: Posthorn sends those to the operator; only the operator's customer id (POSTHORN_OPERATIONAL_CUSTOMER_ID) gets them`);
    await expectError(
      t.client.subscribe({ customerId: "cus_other", endpointUrl, eventTypes: ["deal.won", "endpoint.failing"] }),
      status.INVALID_ARGUMENT,
      refusal("event_types[1]", "endpoint.failing"),
    );
    const { subscription: other } = await t.client.subscribe({ customerId: "cus_other", endpointUrl, eventTypes: ["deal.won"] });
    await expectError(
      t.client.updateSubscription({ subscription: { id: other!.id, eventTypes: ["endpoint.recovered"] }, updateMask: { paths: ["event_types"] } }),
      status.INVALID_ARGUMENT,
      refusal("subscription.event_types[0]", "endpoint.recovered"),
    );
    expect((await t.client.getSubscription({ id: other!.id })).subscription!.eventTypes).toEqual(["deal.won"]);
    // An unknown name is still unknown, for the operator too.
    await expectError(
      t.client.subscribe({ customerId: OPERATOR, endpointUrl, eventTypes: ["endpoint.exploded"] }),
      status.INVALID_ARGUMENT,
      /^event_types\[0\]: unknown event type "endpoint.exploded"/,
    );
  });
});

describe("operational types without an operational customer", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("Subscribe refuses them, saying the setting is unset", async () => {
    await expectError(
      t.client.subscribe({ customerId: "cus_any", endpointUrl: "https://example.com/h", eventTypes: ["endpoint.disabled"] }),
      status.INVALID_ARGUMENT,
      literal(
        "event_types[0]: endpoint.disabled is an operational event type: Posthorn sends those to the operator; no customer gets them on this server (POSTHORN_OPERATIONAL_CUSTOMER_ID is unset)",
      ),
    );
  });
});
