/**
 * The event catalog: the event types the server accepts, each with an optional description, a
 * JSON Schema for its `data` and an example `data` (issue 15; like Svix's event types with
 * schemas). Configured by the `eventTypes` setting: names (`POSTHORN_EVENT_TYPES`, comma
 * separated) or, in the config file, names and entry objects mixed
 * (config/event-type-entries.ts checks them). Compiled once at start: compiled-catalog.ts.
 */

/** One entry of the catalog, as the config gives it. */
export interface EventTypeEntry {
  /** The type, e.g. `deal.won`. */
  name: string;
  /** Free text for people. */
  description?: string;
  /** JSON Schema (draft 2020-12) an event's `data` must match on Emit; none: any object. */
  schema?: Record<string, unknown>;
  /** An example `data`, valid against `schema`. */
  example?: Record<string, unknown>;
}

/** What an event type looks like: `noun.verb`, lower case, dot separated (`lead.created`). */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
export const EVENT_TYPE_RULE = "event types look like `lead.created`";

/**
 * The default event catalog: the reference module's taxonomy (`EVENT_TYPES`), in its order.
 * Operators replace it with the `POSTHORN_EVENT_TYPES` setting.
 */
export const DEFAULT_EVENT_TYPES: readonly string[] = [
  "lead.created",
  "lead.qualified",
  "lead.disqualified",
  "lead.enriched",
  "draft.created",
  "draft.approved",
  "draft.sent",
  "reply.received",
  "reply.classified",
  "demo.booked",
  "demo.held",
  "deal.created",
  "deal.won",
  "deal.lost",
  "payment.received",
  "health.changed",
  "churn.predicted",
  "qbr.generated",
  "pulse.published",
];
