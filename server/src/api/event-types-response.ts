import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import type { EventTypeSchema, ListEventTypesResponseSchema } from "@posthorn/proto";
import type { EventCatalog } from "../domain/compiled-catalog.js";
import type { EventTypeEntry } from "../domain/event-catalog.js";
import { OPERATIONAL_CATALOG } from "../domain/operational-catalog.js";

/** One catalog entry as a proto `EventType`; schema and example as Structs (unset when the catalog gives none). */
function eventTypeToProto(entry: EventTypeEntry, operational: boolean): MessageInitShape<typeof EventTypeSchema> {
  return {
    name: entry.name,
    description: entry.description ?? "",
    ...(entry.schema === undefined ? {} : { schema: entry.schema as JsonObject }),
    ...(entry.example === undefined ? {} : { example: entry.example as JsonObject }),
    operational,
  };
}

/**
 * The ListEventTypes answer (proto `ListEventTypesResponse`): `event_types` holds the catalog's
 * names in order; `types` the catalog's entries in order, then the operational event types
 * (`operational` true; domain/operational-catalog.ts), which Emit refuses and only the
 * operational customer's subscriptions can name.
 */
export function eventTypesResponse(catalog: EventCatalog): MessageInitShape<typeof ListEventTypesResponseSchema> {
  return {
    eventTypes: catalog.entries.map((entry) => entry.name),
    types: [...catalog.entries.map((entry) => eventTypeToProto(entry, false)), ...OPERATIONAL_CATALOG.map((entry) => eventTypeToProto(entry, true))],
  };
}
