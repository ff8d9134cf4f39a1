import { EventCatalog } from "../domain/compiled-catalog.js";
import { EVENT_TYPE_PATTERN, EVENT_TYPE_RULE, type EventTypeEntry } from "../domain/event-catalog.js";
import { isOperationalEventType } from "../domain/operational-events.js";
import { showValue } from "./show-value.js";

/** A problem of one catalog entry: its path below `eventTypes` (`[3]`, `[3].schema`) and what is wrong. */
export interface EntryProblem {
  path: (string | number)[];
  message: string;
}

/** Keys an entry object may have. */
const ENTRY_KEYS = ["name", "description", "schema", "example"];
/** Longest description, in characters (as a subscription's description). */
const MAX_DESCRIPTION_CHARS = 1024;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The `eventTypes` setting as catalog entries, and every problem with them, each naming its
 * entry: a name (`"deal.won"`) is an entry with only a name; an object (config file only) is
 * `{ name, description?, schema?, example? }`. Checked: the name rule (`noun.verb`), names
 * given twice, names of operational event types (reserved: Posthorn emits them itself), keys an
 * entry cannot have, a description that is not text, a schema or example that is not a JSON
 * object, a schema Ajv cannot compile, an example its schema refuses (compiled-catalog.ts).
 */
export function parseEventTypeEntries(values: readonly unknown[]): { entries: EventTypeEntry[]; problems: EntryProblem[] } {
  const entries: EventTypeEntry[] = [];
  const problems: EntryProblem[] = [];
  const firstIndex = new Map<string, number>();
  // Entries read without a problem, with their index: their schemas are compiled even when
  // other entries have problems, so that every problem is listed at once.
  const readable: { entry: EventTypeEntry; index: number }[] = [];
  values.forEach((value, index) => {
    const before = problems.length;
    const entry = readEntry(value, index, problems);
    if (entry === undefined) return;
    if (problems.length === before) readable.push({ entry, index });
    const { name } = entry;
    const namePath = typeof value === "string" ? [index] : [index, "name"];
    if (!EVENT_TYPE_PATTERN.test(name)) {
      problems.push({ path: namePath, message: `${EVENT_TYPE_RULE} (got ${showValue(name)})` });
    } else if (isOperationalEventType(name)) {
      problems.push({ path: namePath, message: `"${name}" is reserved: Posthorn emits it itself (an operational event type); choose another name` });
    } else if (firstIndex.has(name)) {
      problems.push({ path: namePath, message: `"${name}" is already eventTypes[${firstIndex.get(name)}]; give each type once` });
    } else {
      firstIndex.set(name, index);
    }
    entries.push(entry);
  });
  if (values.length === 0) problems.push({ path: [], message: "at least one event type" });
  for (const problem of EventCatalog.compile(readable.map((r) => r.entry)).problems) {
    problems.push({ path: [readable[problem.index]!.index, problem.field], message: problem.message });
  }
  problems.sort((a, b) => Number(a.path[0] ?? -1) - Number(b.path[0] ?? -1));
  return { entries, problems };
}

/** One entry, or undefined after pushing why it cannot be read. */
function readEntry(value: unknown, index: number, problems: EntryProblem[]): EventTypeEntry | undefined {
  if (typeof value === "string") return { name: value.trim() };
  if (!isObject(value)) {
    problems.push({ path: [index], message: `expected a type name such as "deal.won", or an object {"name", "description", "schema", "example"} (got ${showValue(value)})` });
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(value)) {
    if (!ENTRY_KEYS.includes(key)) problems.push({ path: [index, key], message: `not a key of an event type; use ${ENTRY_KEYS.join(", ")}` });
  }
  const { name, description, schema, example } = value;
  if (typeof name !== "string" || name === "") problems.push({ path: [index, "name"], message: `is required: the type's name, e.g. "deal.won"` });
  if (description !== undefined && (typeof description !== "string" || [...description].length > MAX_DESCRIPTION_CHARS)) {
    problems.push({ path: [index, "description"], message: `must be text of at most ${MAX_DESCRIPTION_CHARS} characters` });
  }
  if (schema !== undefined && !isObject(schema)) {
    problems.push({ path: [index, "schema"], message: `must be a JSON object: a JSON Schema (draft 2020-12) for the event's data (got ${showValue(schema)})` });
  }
  if (example !== undefined && !isObject(example)) {
    problems.push({ path: [index, "example"], message: `must be a JSON object: an example of the event's data (got ${showValue(example)})` });
  }
  if (problems.length > before) return typeof name === "string" && name !== "" ? { name } : undefined;
  return {
    name: name as string,
    ...(description === undefined ? {} : { description: description as string }),
    ...(schema === undefined ? {} : { schema: schema as Record<string, unknown> }),
    ...(example === undefined ? {} : { example: example as Record<string, unknown> }),
  };
}
