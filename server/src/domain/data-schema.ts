import { createRequire } from "node:module";
import { Ajv2020, type ErrorObject, type FuncKeywordDefinition, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// `canonicalize` is CommonJS whose typings claim an ES default export; load it as what it is.
const canonicalize = createRequire(import.meta.url)("canonicalize") as (value: unknown) => string | undefined;

/**
 * JSON Schema for event `data` (issue 15): draft 2020-12, checked with Ajv 8 (`ajv/dist/2020`)
 * and the formats of `ajv-formats` (`email`, `date-time`, `uri`, `uuid`, …). Schemas come from
 * the operator's config file; they are compiled once at start (compiled-catalog.ts).
 *
 * Options, and why:
 * - `allErrors`: a refused Emit lists every problem (capped, see `MAX_SHOWN_PROBLEMS`), not only
 *   the first, so a caller fixes its payload in one round.
 * - `strictSchema` (Ajv's default): an unknown keyword (a typo such as `requried`) fails the
 *   compile, so the server refuses to start instead of silently not checking it. `strictTypes`
 *   and `strictTuples` are off: they ask for schema style, not correctness.
 * - No `loadSchema`: a `$ref` to another document is never fetched; it fails the compile.
 * - `uniqueItems` is our own (`UNIQUE_ITEMS`): Ajv's compares every pair of items that are not
 *   all scalars (quadratic: a 256 KiB array of 25,000 small objects held the event loop ~10 s).
 */

// `ajv-formats` is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** A compiled schema: the problems of `data` against it, none when it matches. */
export type DataValidator = (data: unknown) => SchemaProblem[];

/** One way `data` fails a schema. */
export interface SchemaProblem {
  /** JSON Pointer (RFC 6901) into the data, "" for the root: `/customer/email`, `/items/2`. */
  pointer: string;
  /** What is wrong, for people: `must be number`, `is required`. */
  message: string;
  /** JSON Pointer into the schema of the keyword that failed: `/properties/amount/type`. */
  schemaPointer: string;
}

/** Most problems one message lists; the rest are counted (`…and 7 more`). */
export const MAX_SHOWN_PROBLEMS = 5;

/** A new Ajv instance with this module's options and the formats. */
export function newSchemaCompiler(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, logger: false });
  addFormats(ajv);
  ajv.removeKeyword("uniqueItems");
  ajv.addKeyword(UNIQUE_ITEMS);
  return ajv;
}

/**
 * `uniqueItems` in linear time: each item's canonical JSON (RFC 8785: key order and number
 * spelling do not matter, as in JSON Schema's equality) in a map, instead of Ajv's comparison of
 * every pair. The error is Ajv's (`must NOT have duplicate items (items ## 0 and 3 are identical)`).
 */
const checkUniqueItems: ((unique: boolean, data: unknown[]) => boolean) & { errors?: Partial<ErrorObject>[] } = (unique, data) => {
  checkUniqueItems.errors = [];
  if (!unique) return true;
  const seen = new Map<string, number>();
  for (const [index, item] of data.entries()) {
    const key = canonicalize(item) ?? "";
    const first = seen.get(key);
    if (first !== undefined) {
      checkUniqueItems.errors = [
        { keyword: "uniqueItems", message: `must NOT have duplicate items (items ## ${first} and ${index} are identical)`, params: { i: index, j: first } },
      ];
      return false;
    }
    seen.set(key, index);
  }
  return true;
};

const UNIQUE_ITEMS: FuncKeywordDefinition = { keyword: "uniqueItems", type: "array", schemaType: "boolean", errors: true, validate: checkUniqueItems };

/**
 * Compiles `schema` with `ajv` (from `newSchemaCompiler`).
 * @returns the validator, or Ajv's reason when the schema does not compile (an unknown keyword,
 *   a bad `type`, an unresolvable `$ref`, a `$id` used twice in one catalog).
 */
export function compileDataSchema(ajv: Ajv2020, schema: Record<string, unknown>): DataValidator | { problem: string } {
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    return { problem: compileProblem(ajv, (error as Error).message) };
  }
  return (data) => (validate(data) ? [] : problemsOf(validate.errors ?? []));
}

/**
 * Ajv's errors as problems. A key refused by `propertyNames` gives an error of the subschema
 * (with the key in `propertyName`) and one of `propertyNames` itself ("property name must be
 * valid", no key): the first points at the key, the second says nothing more and is left out.
 */
function problemsOf(errors: readonly ErrorObject[]): SchemaProblem[] {
  const keyErrors = errors.some((error) => error.propertyName !== undefined);
  return errors.filter((error) => !(keyErrors && error.keyword === "propertyNames")).map(problemOf);
}

/**
 * Ajv's reason a schema does not compile, for the operator. Its "unknown format … ignored"
 * (strict mode refuses the schema: nothing is ignored) says the format is unknown and which are known.
 */
function compileProblem(ajv: Ajv2020, message: string): string {
  const unknownFormat = /^unknown format "(.*)" ignored in schema at path "(.*)"$/s.exec(message);
  if (unknownFormat === null) return message;
  return `unknown format "${unknownFormat[1]}" at ${unknownFormat[2]}; the formats known are ${Object.keys(ajv.formats).join(", ")}`;
}

/** RFC 6901 escaping of one reference token. */
function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * One Ajv error as a `SchemaProblem`. `required` and `additionalProperties` point at the
 * property itself (`/customer/email: is required`) rather than at its object; `enum` and
 * `const` say the allowed values.
 */
function problemOf(error: ErrorObject): SchemaProblem {
  const schemaPointer = error.schemaPath.replace(/^#/, "");
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    // The key's name fails the `propertyNames` subschema: point at the key, say it is its name.
    return { pointer: `${error.instancePath}/${escapeToken(error.propertyName)}`, message: `as a property name, ${error.message ?? `fails "${error.keyword}"`}`, schemaPointer };
  }
  switch (error.keyword) {
    case "required":
      return { pointer: `${error.instancePath}/${escapeToken(String(params.missingProperty))}`, message: "is required", schemaPointer };
    case "additionalProperties":
    case "unevaluatedProperties": {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return { pointer: `${error.instancePath}/${escapeToken(key)}`, message: "is not allowed (not a property of the schema)", schemaPointer };
    }
    case "enum":
      return { pointer: error.instancePath, message: `must be one of ${shownValues(params.allowedValues as unknown[])}`, schemaPointer };
    case "const":
      return { pointer: error.instancePath, message: `must be ${shownValues([params.allowedValue])}`, schemaPointer };
    default:
      return { pointer: error.instancePath, message: error.message ?? `fails "${error.keyword}"`, schemaPointer };
  }
}

/** `"a", "b", 3` cut to 100 characters. */
function shownValues(values: unknown[]): string {
  const text = values.map((value) => JSON.stringify(value)).join(", ");
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** Longest pointer shown in a message, in characters. */
const MAX_POINTER_CHARS = 200;

/** Characters of a key shown escaped (`\\u000a`): controls (C0, DEL, C1) and the bidirectional marks, embeddings, overrides and isolates, which would break or reorder the message's line. */
const UNSHOWN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Where a problem is: `root` + its pointer (cut to 200 characters, never inside a character;
 * controls and bidi marks of the caller's keys escaped as `\\uXXXX`), e.g. `events[2].data/customer/email`.
 */
export function problemLocation(root: string, problem: SchemaProblem): string {
  return root + cut(problem.pointer, MAX_POINTER_CHARS).replace(UNSHOWN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `text` cut to `max` characters (code points, never inside one), with an ellipsis when cut. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const characters = Array.from(text);
  return characters.length > max ? `${characters.slice(0, max).join("")}…` : text;
}

/**
 * Longest reason and schema pointer shown per problem, in characters: both come from the
 * operator's schema (a long `pattern` is quoted in its reason), and five of them make one
 * status message.
 */
const MAX_REASON_CHARS = 200;

/**
 * `problems` as message parts: `<root><pointer>: <message> (schema: <schemaPointer>)` (message and
 * schema pointer cut to 200 characters each), at most
 * `MAX_SHOWN_PROBLEMS`, then `…and N more`; e.g.
 * `["data/amount: must be number (schema: /properties/amount/type)"]` for root `data`.
 */
export function describeProblems(root: string, problems: readonly SchemaProblem[]): string[] {
  const shown = problems.slice(0, MAX_SHOWN_PROBLEMS).map((problem) => `${problemLocation(root, problem)}: ${cut(problem.message, MAX_REASON_CHARS)} (schema: ${cut(problem.schemaPointer, MAX_REASON_CHARS)})`);
  if (problems.length > MAX_SHOWN_PROBLEMS) shown.push(`…and ${problems.length - MAX_SHOWN_PROBLEMS} more`);
  return shown;
}
