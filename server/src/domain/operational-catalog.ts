import type { EventTypeEntry } from "./event-catalog.js";
import { OPERATIONAL_EVENT_SCHEMAS } from "./operational-event-schemas.js";
import { OPERATIONAL_EVENT_DESCRIPTIONS, OPERATIONAL_EVENT_TYPES } from "./operational-events.js";

/**
 * The operational event types as catalog entries with their descriptions, data schemas and
 * examples (domain/operational-event-schemas.ts), in `OPERATIONAL_EVENT_TYPES` order
 * (ListEventTypes lists them after the catalog).
 */
export const OPERATIONAL_CATALOG: readonly EventTypeEntry[] = OPERATIONAL_EVENT_TYPES.map((name) => ({
  name,
  description: OPERATIONAL_EVENT_DESCRIPTIONS[name],
  // Readonly in their module; the catalog entry's fields are plain records.
  schema: OPERATIONAL_EVENT_SCHEMAS[name].schema as Record<string, unknown>,
  example: OPERATIONAL_EVENT_SCHEMAS[name].example as Record<string, unknown>,
}));
