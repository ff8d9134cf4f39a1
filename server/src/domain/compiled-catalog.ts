import { unsafePatterns } from "./regex-safety.js";
import { compileDataSchema, describeProblems, newSchemaCompiler, type DataValidator, type SchemaProblem } from "./data-schema.js";
import type { EventTypeEntry } from "./event-catalog.js";

/** A catalog entry's problem: its index in the catalog, the field (`schema`, `example`) and what is wrong. */
export interface CatalogEntryProblem {
  index: number;
  field: "schema" | "example";
  message: string;
}

/**
 * The event catalog compiled: its entries in order and a validator per schema (one Ajv
 * instance for the whole catalog). Built once at start from the checked `eventTypes` setting and
 * passed down (api deps); read-only afterwards.
 */
export class EventCatalog {
  /** The accepted type names. */
  readonly names: ReadonlySet<string>;

  private constructor(
    readonly entries: readonly EventTypeEntry[],
    private readonly validators: ReadonlyMap<string, DataValidator>,
  ) {
    this.names = new Set(entries.map((entry) => entry.name));
  }

  /**
   * Compiles every schema of `entries` and checks every example against its schema.
   * @returns the catalog, or the problems (a schema Ajv cannot compile, one that refuses every
   *   object, one with a regular expression open to catastrophic backtracking (regex-safety.ts),
   *   an example that does not match its schema), each naming its entry by index; the config
   *   check reports these.
   */
  static compile(entries: readonly EventTypeEntry[]): { catalog: EventCatalog; problems: [] } | { catalog?: undefined; problems: CatalogEntryProblem[] } {
    const ajv = newSchemaCompiler();
    const validators = new Map<string, DataValidator>();
    const problems: CatalogEntryProblem[] = [];
    entries.forEach((entry, index) => {
      if (entry.schema === undefined) return;
      const compiled = compileDataSchema(ajv, entry.schema);
      if (typeof compiled !== "function") {
        problems.push({ index, field: "schema", message: `is not a schema Ajv can compile (JSON Schema draft 2020-12): ${compiled.problem}` });
        return;
      }
      // Checked once the schema compiles (a misspelt type is Ajv's to report).
      const notObject = refusesObjects(entry.schema);
      if (notObject !== undefined) {
        problems.push({ index, field: "schema", message: notObject });
        return;
      }
      const unsafe = unsafePatterns(entry.schema);
      if (unsafe.length > 0) {
        const listed = unsafe.map(({ pointer, pattern }) => `${pointer} ${JSON.stringify(pattern).slice(0, 120)}`).join(", ");
        problems.push({
          index,
          field: "schema",
          message:
            `refuses a regular expression that can take exponential time on some data and block the server (a repeated group ` +
            `that itself repeats, e.g. (a+)+): ${listed}; rewrite it without the nested repetition, e.g. ^a+$ instead of ^(a+)+$`,
        });
        return;
      }
      validators.set(entry.name, compiled);
      if (entry.example === undefined) return;
      const wrong = compiled(entry.example);
      if (wrong.length > 0) problems.push({ index, field: "example", message: `does not match the schema: ${describeProblems("example", wrong).join("; ")}` });
    });
    return problems.length === 0 ? { catalog: new EventCatalog(entries, validators), problems: [] } : { problems };
  }

  /**
   * `compile` for a catalog already checked (the parsed config).
   * @throws Error listing the problems when it was not.
   */
  static of(entries: readonly EventTypeEntry[]): EventCatalog {
    const result = EventCatalog.compile(entries);
    if (result.catalog) return result.catalog;
    throw new Error(`event catalog: ${result.problems.map((p) => `eventTypes[${p.index}].${p.field}: ${p.message}`).join("; ")}`);
  }

  /** Whether `type` is in the catalog. */
  has(type: string): boolean {
    return this.names.has(type);
  }

  /**
   * The problems of `data` against the schema of `type`: none when it matches, when the type has
   * no schema, or is not in the catalog. `describeProblems` (data-schema.ts) words them.
   */
  dataProblems(type: string, data: unknown): SchemaProblem[] {
    return this.validators.get(type)?.(data) ?? [];
  }
}

/**
 * Why a schema can never accept an event's `data` (always a JSON object: a proto Struct), when
 * its top-level `type` says so (`"string"`, `["array", "null"]`): every Emit of the type would be
 * refused. Undefined when `type` is absent or allows "object".
 */
function refusesObjects(schema: Record<string, unknown>): string | undefined {
  const { type } = schema;
  if (type === undefined) return undefined;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes("object")) return undefined;
  return `has "type": ${JSON.stringify(type)}, but an event's data is always a JSON object, so every Emit would be refused; use "type": "object"`;
}
