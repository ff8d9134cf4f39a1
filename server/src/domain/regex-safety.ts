import safeRegex from "safe-regex2";

/**
 * Regular expressions of a JSON Schema that could take exponential time on some data
 * (catastrophic backtracking, "ReDoS", OWASP): a group that repeats and holds a repetition itself,
 * such as `^(a+)+$`. Ajv runs `pattern` and `patternProperties` with JavaScript's backtracking
 * engine on the caller's data, in the server's one event loop, so one such Emit would block every
 * other call and the workers. The check is `safe-regex2` (star height above 1, as the fastify
 * project uses it): a heuristic that refuses the usual culprits; it does not prove a pattern safe.
 */

/** Keys whose values are data, not schemas: a `pattern` key inside them is not a schema keyword. */
const DATA_KEYS = new Set(["const", "enum", "default", "examples", "example"]);

/** One refused pattern: its JSON pointer in the schema and the pattern. */
export interface UnsafePattern {
  pointer: string;
  pattern: string;
}

/** RFC 6901 escaping of one reference token. */
const token = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * The `pattern` values and `patternProperties` keys of `schema` (at any depth, outside the data
 * keywords `const`, `enum`, `default`, `examples`) that `safe-regex2` finds unsafe, in document order.
 */
export function unsafePatterns(schema: unknown, pointer = ""): UnsafePattern[] {
  if (Array.isArray(schema)) return schema.flatMap((item, index) => unsafePatterns(item, `${pointer}/${index}`));
  if (typeof schema !== "object" || schema === null) return [];
  const found: UnsafePattern[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (DATA_KEYS.has(key)) continue;
    const at = `${pointer}/${token(key)}`;
    if (key === "pattern" && typeof value === "string" && !safeRegex(value)) found.push({ pointer: at, pattern: value });
    if (key === "patternProperties" && typeof value === "object" && value !== null) {
      for (const name of Object.keys(value)) if (!safeRegex(name)) found.push({ pointer: `${at}/${token(name)}`, pattern: name });
    }
    found.push(...unsafePatterns(value, at));
  }
  return found;
}
