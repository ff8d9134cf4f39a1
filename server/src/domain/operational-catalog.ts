import type { EventTypeEntry } from "./event-catalog.js";
import { OPERATIONAL_EVENT_DESCRIPTIONS, OPERATIONAL_EVENT_TYPES, type OperationalEventType } from "./operational-events.js";

/**
 * Schemas and examples of the operational event types (issue 15).
 *
 * PLUG-IN POINT: `domain/operational-event-schemas.ts` (written in another part of issue 15)
 * provides them; import it here and replace this empty map with it. This is the one place
 * ListEventTypes takes them from. Shape: per type, an optional JSON Schema (draft 2020-12) of
 * its `data` and an optional example `data`.
 */
const OPERATIONAL_EVENT_SCHEMAS: Partial<Record<OperationalEventType, Pick<EventTypeEntry, "schema" | "example">>> = {};

/** The operational event types as catalog entries, in `OPERATIONAL_EVENT_TYPES` order (ListEventTypes lists them after the catalog). */
export const OPERATIONAL_CATALOG: readonly EventTypeEntry[] = OPERATIONAL_EVENT_TYPES.map((name) => ({
  name,
  description: OPERATIONAL_EVENT_DESCRIPTIONS[name],
  ...OPERATIONAL_EVENT_SCHEMAS[name],
}));
