/**
 * Emit's schema messages for keys the caller chose (issue 15 attack): a key refused by
 * `propertyNames` is named (Ajv alone says only "property name must be valid"), control and
 * bidi characters of a key are escaped so the message stays one readable line, and
 * `uniqueItems` over objects names the two equal items.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import type { JsonObject } from "@bufbuild/protobuf";
import { status } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

const CATALOG = [
  {
    name: "tag.set",
    schema: {
      type: "object",
      properties: {
        tags: { type: "object", propertyNames: { pattern: "^[a-z]+$" } },
        lines: { type: "array", uniqueItems: true },
        strict: { type: "object", additionalProperties: false },
      },
    },
  },
];

describe.each(STORES)("Emit schema messages for the caller's keys (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { eventTypes: CATALOG });
  });
  afterAll(async () => {
    await t?.close();
  });

  const rows: [string, JsonObject, string][] = [
    ["propertyNames names the key", { tags: { ok: 1, Bad1: 2 } }, 'data/tags/Bad1: as a property name, must match pattern "^[a-z]+$" (schema: /properties/tags/propertyNames/pattern)'],
    [
      "a key with a line break, NUL and a right-to-left override is escaped",
      { strict: { "a\n\u0000\u202eb": 1 } },
      "data/strict/a\\u000a\\u0000\\u202eb: is not allowed (not a property of the schema) (schema: /properties/strict/additionalProperties)",
    ],
    ["uniqueItems over objects names both items", { lines: [{ a: 1, b: 2 }, { c: 3 }, { b: 2, a: 1 }] }, "data/lines: must NOT have duplicate items (items ## 0 and 2 are identical) (schema: /properties/lines/uniqueItems)"],
  ];

  it.each(rows)("%s", async (_what, data, expected) => {
    await expectError(t.client.emit({ type: "tag.set", customerId: `cus_keys_${kind}`, data }), status.INVALID_ARGUMENT, literal(expected));
  });
});
