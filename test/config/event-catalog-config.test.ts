/** The `eventTypes` setting as a catalog: names and entry objects, and every problem named by its entry. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../server/src/config/config-error.js";
import { loadConfig, parseConfig } from "../../server/src/config/load-config.js";
import { DEFAULT_EVENT_TYPES } from "../../server/src/domain/event-catalog.js";

const dir = mkdtempSync(join(tmpdir(), "posthorn-catalog-"));
let files = 0;

/** Writes `{ eventTypes }` to a new config file; returns its path. */
function configFile(eventTypes: unknown): string {
  const file = join(dir, `posthorn-${files++}.json`);
  writeFileSync(file, JSON.stringify({ eventTypes }));
  return file;
}

/** The problems `loadConfig` reports for `env`, or [] when it loads. */
function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const AMOUNT_SCHEMA = { type: "object", required: ["amount"], properties: { amount: { type: "number" } } };

describe("eventTypes: the catalog setting", () => {
  it("defaults to the reference catalog, names only", () => {
    expect(parseConfig({}).eventTypes).toEqual(DEFAULT_EVENT_TYPES.map((name) => ({ name })));
  });

  it("reads POSTHORN_EVENT_TYPES as comma-separated names, as before", () => {
    expect(loadConfig({ POSTHORN_EVENT_TYPES: " order.placed, order.shipped ," }).eventTypes).toEqual([{ name: "order.placed" }, { name: "order.shipped" }]);
  });

  it("reads the file's names and entry objects, mixed, in order", () => {
    const entries = [
      "order.placed",
      { name: "deal.won", description: "A deal was won.", schema: AMOUNT_SCHEMA, example: { amount: 12.5 } },
      { name: "deal.lost" },
    ];
    expect(loadConfig({ POSTHORN_CONFIG_FILE: configFile(entries) }).eventTypes).toEqual([{ name: "order.placed" }, entries[1], { name: "deal.lost" }]);
  });

  it("the environment wins over the file", () => {
    const file = configFile([{ name: "deal.won", schema: AMOUNT_SCHEMA }]);
    expect(loadConfig({ POSTHORN_CONFIG_FILE: file, POSTHORN_EVENT_TYPES: "order.placed" }).eventTypes).toEqual([{ name: "order.placed" }]);
  });

  // [what, eventTypes in the file, the problem lines after "eventTypes[…] (in POSTHORN_CONFIG_FILE=…): "]
  const cases: [string, unknown, (string | RegExp)[]][] = [
    ["a name breaking the rule", ["order.placed", "Order"], ['[1]: event types look like `lead.created` (got "Order")']],
    ["an entry name breaking the rule", [{ name: "deal" }], ['[0].name: event types look like `lead.created` (got "deal")']],
    ["an entry without a name", [{ description: "x" }], ['[0].name: is required: the type\'s name, e.g. "deal.won"']],
    ["a name given twice", ["deal.won", { name: "deal.won", description: "again" }], ['[1].name: "deal.won" is already eventTypes[0]; give each type once']],
    [
      "an operational type's name",
      ["endpoint.disabled", { name: "secret.rotated" }],
      [
        '[0]: "endpoint.disabled" is reserved: Posthorn emits it itself (an operational event type); choose another name',
        '[1].name: "secret.rotated" is reserved: Posthorn emits it itself (an operational event type); choose another name',
      ],
    ],
    ["an entry that is neither name nor object", [42], ['[0]: expected a type name such as "deal.won", or an object {"name", "description", "schema", "example"} (got 42)']],
    ["a key an entry cannot have", [{ name: "deal.won", descripton: "typo" }], ["[0].descripton: not a key of an event type; use name, description, schema, example"]],
    ["a description that is not text", [{ name: "deal.won", description: 7 }], ["[0].description: must be text of at most 1024 characters"]],
    ["a schema that is not an object", [{ name: "deal.won", schema: [AMOUNT_SCHEMA] }], [/^\[0\]\.schema: must be a JSON object: a JSON Schema \(draft 2020-12\) for the event's data \(got \[/]],
    ["an example that is not an object", [{ name: "deal.won", example: "x" }], ['[0].example: must be a JSON object: an example of the event\'s data (got "x")']],
    [
      "a schema with an unknown keyword (a typo)",
      ["order.placed", { name: "deal.won", schema: { type: "object", requried: ["amount"] } }],
      ['[1].schema: is not a schema Ajv can compile (JSON Schema draft 2020-12): strict mode: unknown keyword: "requried"'],
    ],
    ["a schema with a bad type", [{ name: "deal.won", schema: { type: "objekt" } }], [/^\[0\]\.schema: is not a schema Ajv can compile \(JSON Schema draft 2020-12\): schema is invalid: data\/type must be equal to one of the allowed values/]],
    ["a schema with a $ref to another document", [{ name: "deal.won", schema: { $ref: "https://example.com/deal.json" } }], [/^\[0\]\.schema: is not a schema Ajv can compile .*can't resolve reference https:\/\/example\.com\/deal\.json/]],
    [
      "an example its schema refuses",
      [{ name: "deal.won", schema: AMOUNT_SCHEMA, example: { amount: "12" } }],
      ["[0].example: does not match the schema: example/amount: must be number (schema: /properties/amount/type)"],
    ],
    [
      "a schema with an unknown format",
      [{ name: "deal.won", schema: { type: "object", properties: { site: { type: "string", format: "iri" } } } }],
      [/^\[0\]\.schema: is not a schema Ajv can compile \(JSON Schema draft 2020-12\): unknown format "iri" at #\/properties\/site; the formats known are date, time, date-time, .*\buri\b.*\bemail\b/],
    ],
    [
      "a schema whose type can never be the data (always an object)",
      [{ name: "deal.won", schema: { type: "string" } }, { name: "deal.lost", schema: { type: ["array", "null"] } }, { name: "deal.open", schema: { type: ["object", "null"] } }],
      [
        '[0].schema: has "type": "string", but an event\'s data is always a JSON object, so every Emit would be refused; use "type": "object"',
        '[1].schema: has "type": ["array","null"], but an event\'s data is always a JSON object, so every Emit would be refused; use "type": "object"',
      ],
    ],
    [
      "an example failing a format",
      [{ name: "deal.won", schema: { type: "object", properties: { to: { type: "string", format: "email" } } }, example: { to: "nobody" } }],
      ['[0].example: does not match the schema: example/to: must match format "email" (schema: /properties/to/format)'],
    ],
    [
      "regular expressions open to catastrophic backtracking (pattern, patternProperties, nested), but not a pattern in data keywords",
      [
        { name: "deal.won", schema: { type: "object", properties: { code: { type: "string", pattern: "^(a+)+$" } } } },
        { name: "deal.lost", schema: { type: "object", patternProperties: { "^(x|y+)*$": {} }, properties: { safe: { pattern: "^[a-z]+$", const: { pattern: "(a+)+" } } } } },
        { name: "deal.open", schema: { type: "object", properties: { tags: { type: "array", items: { type: "string", pattern: "^([a-z]+-?)*$" } } } } },
      ],
      [
        /^\[0\]\.schema: refuses a regular expression that can take exponential time on some data and block the server .*: \/properties\/code\/pattern "\^\(a\+\)\+\$"; rewrite it without the nested repetition/,
        /^\[1\]\.schema: refuses a regular expression .*: \/patternProperties\/\^\(x\|y\+\)\*\$ "\^\(x\|y\+\)\*\$"; rewrite/,
        /^\[2\]\.schema: refuses a regular expression .*: \/properties\/tags\/items\/pattern "\^\(\[a-z\]\+-\?\)\*\$"; rewrite/,
      ],
    ],
  ];

  it.each(cases)("refuses %s, naming the entry", (_what, eventTypes, expected) => {
    const file = configFile(eventTypes);
    const where = ` (in POSTHORN_CONFIG_FILE=${file}): `;
    const problems = problemsOf({ POSTHORN_CONFIG_FILE: file });
    expect(problems).toHaveLength(expected.length);
    problems.forEach((line, index) => {
      const want = expected[index]!;
      expect(line.startsWith("eventTypes")).toBe(true);
      const [entry, ...rest] = line.slice("eventTypes".length).split(where);
      const text = `${entry}: ${rest.join(where)}`;
      if (typeof want === "string") expect(text).toBe(want);
      else expect(text).toMatch(want);
    });
  });

  it("lists every entry's problems at once, in entry order", () => {
    const file = configFile([
      { name: "deal.won", schema: { type: "object", requried: ["amount"] } },
      "Bad",
      { name: "deal.lost", schema: AMOUNT_SCHEMA, example: {} },
      { name: "deal.won" },
    ]);
    expect(problemsOf({ POSTHORN_CONFIG_FILE: file }).map((line) => line.replace(` (in POSTHORN_CONFIG_FILE=${file})`, ""))).toEqual([
      'eventTypes[0].schema: is not a schema Ajv can compile (JSON Schema draft 2020-12): strict mode: unknown keyword: "requried"',
      'eventTypes[1]: event types look like `lead.created` (got "Bad")',
      "eventTypes[2].example: does not match the schema: example/amount: is required (schema: /required)",
      'eventTypes[3].name: "deal.won" is already eventTypes[0]; give each type once',
    ]);
  });

  it("refuses an empty list and a value of another kind", () => {
    const empty = configFile([]);
    expect(problemsOf({ POSTHORN_CONFIG_FILE: empty })).toEqual([`eventTypes (in POSTHORN_CONFIG_FILE=${empty}): at least one event type (got [])`]);
    const other = configFile({ name: "deal.won" });
    expect(problemsOf({ POSTHORN_CONFIG_FILE: other })).toEqual([
      expect.stringMatching(/^eventTypes \(in POSTHORN_CONFIG_FILE=.*\): expected type names separated by commas, or \(in the config file\) an array/),
    ]);
  });

  it("names the variable for problems of POSTHORN_EVENT_TYPES", () => {
    expect(problemsOf({ POSTHORN_EVENT_TYPES: "order.placed,Order,order.placed,delivery.exhausted" })).toEqual([
      'POSTHORN_EVENT_TYPES (eventTypes): event types look like `lead.created` (got "Order")',
      'POSTHORN_EVENT_TYPES (eventTypes): "order.placed" is already eventTypes[0]; give each type once',
      'POSTHORN_EVENT_TYPES (eventTypes): "delivery.exhausted" is reserved: Posthorn emits it itself (an operational event type); choose another name',
    ]);
  });
});
