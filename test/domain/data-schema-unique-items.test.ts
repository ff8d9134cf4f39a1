/**
 * `uniqueItems` in event data schemas (domain/data-schema.ts): JSON Schema equality (key order
 * and number spelling do not matter, types do), Ajv's error wording, and an array of many
 * distinct objects checked without comparing every pair (Ajv's own keyword is quadratic for
 * non-scalar items: a 256 KiB Emit of 25,000 small objects held the whole process ~10 s).
 */
import { describe, expect, it } from "vitest";
import { compileDataSchema, newSchemaCompiler, type DataValidator } from "../../server/src/domain/data-schema.js";

function validator(schema: Record<string, unknown>): DataValidator {
  const compiled = compileDataSchema(newSchemaCompiler(), schema);
  if (typeof compiled !== "function") throw new Error(compiled.problem);
  return compiled;
}

const unique = validator({ type: "object", properties: { items: { type: "array", uniqueItems: true } } });

describe("uniqueItems", () => {
  it("finds equal items whatever their key order or number spelling, and names both", () => {
    expect(unique({ items: [1, { a: 1, b: [2] }, "x", { b: [2], a: 1.0 }] })).toEqual([
      { pointer: "/items", message: "must NOT have duplicate items (items ## 1 and 3 are identical)", schemaPointer: "/properties/items/uniqueItems" },
    ]);
    expect(unique({ items: [1, "1", [1], { 1: 1 }, null, false, 0] })).toEqual([]);
  });

  it("false, or on a non-array, checks nothing; a non-boolean value does not compile", () => {
    expect(validator({ type: "object", properties: { items: { uniqueItems: false } } })({ items: [1, 1] })).toEqual([]);
    expect(validator({ type: "object", properties: { items: { uniqueItems: true } } })({ items: "aa" })).toEqual([]);
    expect(compileDataSchema(newSchemaCompiler(), { uniqueItems: "yes" })).toHaveProperty("problem");
  });

  it("reads each item a few times, not once per pair of items", () => {
    let reads = 0;
    const items = Array.from({ length: 1000 }, (_, a) =>
      Object.defineProperty({}, "a", {
        enumerable: true,
        get: () => {
          reads++;
          return a;
        },
      }),
    );
    expect(unique({ items })).toEqual([]);
    // Pair by pair (Ajv's keyword) reads about 1000 · 999 times.
    expect(reads).toBeLessThanOrEqual(10 * items.length);
  });

  it("checks 25,000 distinct objects (a 256 KiB payload)", () => {
    const items = Array.from({ length: 25_000 }, (_, a) => ({ a }));
    expect(unique({ items })).toEqual([]);
    expect(unique({ items: [...items, { a: 7 }] })[0]?.message).toBe("must NOT have duplicate items (items ## 7 and 25000 are identical)");
  });
});
