/**
 * The JSON Schemas and examples of the operational events' `data` (domain/operational-event-schemas.ts):
 * each compiles under Ajv 8 (draft 2020-12, strict), each example matches its schema, the schemas
 * refuse what the server never sends, and the README documents every field. That the data the
 * server really sends match them is checked where it is sent (test/e2e/operational-events.test.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPERATIONAL_EVENT_SCHEMAS } from "../../server/src/domain/operational-event-schemas.js";
import { OPERATIONAL_EVENT_TYPES } from "../../server/src/domain/operational-events.js";
import { compileSchema } from "../helpers/json-schema.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("operational event schemas", () => {
  it("cover exactly the operational types", () => {
    expect(Object.keys(OPERATIONAL_EVENT_SCHEMAS).sort()).toEqual([...OPERATIONAL_EVENT_TYPES].sort());
  });

  describe.each(OPERATIONAL_EVENT_TYPES)("%s", (type) => {
    const { schema, example } = OPERATIONAL_EVENT_SCHEMAS[type];
    const check = compileSchema(schema);
    const properties = Object.keys(schema.properties as object);

    it("has an example that matches the schema, with every field", () => {
      expect(check(example), JSON.stringify(check.errors)).toBe(true);
      expect(Object.keys(example).sort()).toEqual([...properties].sort());
      expect(schema.required).toEqual(properties);
    });

    it("refuses a missing field, an unknown field and a wrong type, naming the JSON pointer", () => {
      const { [properties.at(-1)!]: _dropped, ...missing } = example;
      expect(check(missing)).toBe(false);
      expect(check.errors?.map((e) => e.keyword)).toContain("required");
      expect(check({ ...example, surprise: 1 })).toBe(false);
      expect(check.errors?.map((e) => e.keyword)).toContain("additionalProperties");
      expect(check({ ...example, subscription_id: 42 })).toBe(false);
      expect(check.errors?.map((e) => e.instancePath)).toContain("/subscription_id");
      expect(check({ ...example, customer_id: "" })).toBe(false);
    });

    it("is documented in the README's Operational events section, field by field", () => {
      const section = README.slice(README.indexOf("## Operational events"), README.indexOf("\n## ", README.indexOf("## Operational events") + 1));
      expect(section.length).toBeGreaterThan(100);
      expect(section).toContain(`\`${type}\``);
      for (const field of properties) expect(section, `${type}.${field}`).toContain(`\`${field}\``);
    });
  });

  it("times are whole unix seconds, and nullable ones say so", () => {
    const { schema } = OPERATIONAL_EVENT_SCHEMAS["secret.rotated"];
    const check = compileSchema(schema);
    const example = OPERATIONAL_EVENT_SCHEMAS["secret.rotated"].example;
    expect(check({ ...example, rotated_at: 1764849600.5 })).toBe(false);
    expect(check({ ...example, rotated_at: -1 })).toBe(false);
    expect(check({ ...example, previous_secret_expires_at: null })).toBe(true);
    expect(check({ ...example, previous_secret_expires_at: "tomorrow" })).toBe(false);
  });
});
