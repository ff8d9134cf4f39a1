import type { OperationalEventData, OperationalEventType } from "./operational-events.js";

/**
 * JSON Schemas (draft 2020-12, the dialect of proto `EventType.schema`) of the `data` of each
 * operational event type (operational-events.ts `OperationalEventData`, which they mirror field
 * for field), with an example `data` each, for the catalog (ListEventTypes) and the README
 * ("Operational events"). Every field is required and no other is sent; a receiver may still
 * ignore fields it does not know, as later versions may add some. Times are unix seconds
 * (integers), like the envelope's `timestamp`.
 */
export interface OperationalEventSchema {
  /** A JSON Schema (draft 2020-12) for the event's `data`. */
  schema: Readonly<Record<string, unknown>>;
  /** A `data` that matches `schema`. */
  example: Readonly<Record<string, unknown>>;
}

const SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

const UNIX_SECONDS = { type: "integer", minimum: 0 } as const;
const COUNT = { type: "integer", minimum: 0 } as const;

/** A unix time in seconds, or null (`description` says what null means). */
function unixSecondsOrNull(description: string) {
  return { description, anyOf: [UNIX_SECONDS, { type: "null" }] };
}

/** What every endpoint event says about the subscription it is about. */
const ENDPOINT_PROPERTIES = {
  subscription_id: { description: "The subscription the event is about.", type: "string", pattern: "^sub_[0-9a-f]{24}$" },
  customer_id: { description: "The customer the subscription belongs to (the envelope's `customer_id` is the operator's).", type: "string", minLength: 1 },
  endpoint_url: { description: "The subscription's endpoint URL.", type: "string", minLength: 1 },
} as const;

/** An object schema with exactly `properties`, all required. */
function dataSchema(title: string, properties: Record<string, object>): Record<string, unknown> {
  const all = { ...ENDPOINT_PROPERTIES, ...properties };
  return { $schema: SCHEMA_DIALECT, title, type: "object", properties: all, required: Object.keys(all), additionalProperties: false };
}

/** A typed example: a change in `OperationalEventData` that the example misses fails to compile. */
function example<T extends OperationalEventType>(_type: T, data: OperationalEventData[T]): Record<string, unknown> {
  return data as unknown as Record<string, unknown>;
}

const ENDPOINT_EXAMPLE = {
  subscription_id: "sub_019ad0c4f8a07c3e9b1d2a44",
  customer_id: "cus_acme",
  endpoint_url: "https://hooks.acme.example/posthorn",
};

/** Schema and example of each operational event type's `data`. */
export const OPERATIONAL_EVENT_SCHEMAS: Readonly<Record<OperationalEventType, OperationalEventSchema>> = {
  "endpoint.failing": {
    schema: dataSchema("endpoint.failing data", {
      failing_since: { description: "Start of the failing spell: the first failed attempt after the last success (unix s).", ...UNIX_SECONDS },
      failed_attempts: { description: "Failed attempts since `failing_since`.", ...COUNT },
      disable_at: unixSecondsOrNull("When the subscription is disabled unless an attempt succeeds first (unix s); null: auto-disable is off."),
    }),
    example: example("endpoint.failing", { ...ENDPOINT_EXAMPLE, failing_since: 1764763200, failed_attempts: 14, disable_at: 1765195200 }),
  },
  "endpoint.disabled": {
    schema: dataSchema("endpoint.disabled data", {
      reason: { description: "Why: the subscription's `disabled_reason`.", type: "string", minLength: 1 },
      failing_since: unixSecondsOrNull("Start of the failing spell that led to it (unix s); null when one answer (410 Gone) disabled it."),
      canceled_deliveries: { description: "Pending deliveries canceled by the disable (RecoverFailedDeliveries brings them back).", ...COUNT },
      disabled_at: { description: "When it was disabled (unix s).", ...UNIX_SECONDS },
    }),
    example: example("endpoint.disabled", {
      ...ENDPOINT_EXAMPLE,
      reason: "endpoint answered 410 Gone",
      failing_since: null,
      canceled_deliveries: 3,
      disabled_at: 1764849600,
    }),
  },
  "endpoint.recovered": {
    schema: dataSchema("endpoint.recovered data", {
      failing_since: { description: "Start of the failing spell that ended (unix s).", ...UNIX_SECONDS },
      recovered_at: { description: "When an attempt succeeded again (unix s).", ...UNIX_SECONDS },
    }),
    example: example("endpoint.recovered", { ...ENDPOINT_EXAMPLE, failing_since: 1764763200, recovered_at: 1764856800 }),
  },
  "delivery.exhausted": {
    schema: dataSchema("delivery.exhausted data", {
      delivery_id: { description: "The delivery that failed for good.", type: "string", pattern: "^dlv_[0-9a-f]{24}$" },
      event_id: { description: "Its event.", type: "string", pattern: "^evt_[0-9a-f]{24}$" },
      event_type: { description: "Its event's type.", type: "string", minLength: 1 },
      attempts: { description: "Attempts made (counting one a crashed worker started, recorded as `abandoned`).", type: "integer", minimum: 1 },
      final_reason: { description: "The delivery's `final_reason`, e.g. `final status 404`.", type: "string", minLength: 1 },
    }),
    example: example("delivery.exhausted", {
      ...ENDPOINT_EXAMPLE,
      delivery_id: "dlv_019ad0c4f8a0a1b2c3d4e5f6",
      event_id: "evt_019ad0c4f8a0f6e5d4c3b2a1",
      event_type: "deal.won",
      attempts: 6,
      final_reason: "attempts exhausted (6 of 6); last: status 503",
    }),
  },
  "secret.rotated": {
    schema: dataSchema("secret.rotated data", {
      rotated_at: { description: "When the new secret was made (unix s); attempts from then on are signed with it.", ...UNIX_SECONDS },
      previous_secret_expires_at: unixSecondsOrNull(
        "Until when attempts also carry a signature with the previous secret (unix s); null: grace 0, it was revoked at once.",
      ),
    }),
    example: example("secret.rotated", { ...ENDPOINT_EXAMPLE, rotated_at: 1764849600, previous_secret_expires_at: 1764936000 }),
  },
};
