/** README.md's configuration table must list every setting of config.ts with its real default. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema, type Config } from "../../server/src/config/config.js";
import { ENV_NAMES } from "../../server/src/config/setting-names.js";
import { DEFAULT_EVENT_TYPES } from "../../server/src/domain/event-catalog.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const rows = new Map(
  [...readme.matchAll(/^\| `([A-Z_]+)` \| `([A-Za-z]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, { key: m[2]!, fallback: m[3]!.trim() }]),
);

function documented(value: unknown): string {
  if (value === undefined) return "unset";
  if (Array.isArray(value)) return value.length === 0 ? "empty" : `\`${value.join(",")}\``;
  return `\`${String(value)}\``;
}

describe("README configuration table", () => {
  const defaults = configSchema.parse({});
  it.each(Object.entries(ENV_NAMES))("%s", (key, env) => {
    const row = rows.get(env);
    expect(row, `README.md has no row for ${env}`).toBeDefined();
    expect(row!.key).toBe(key);
    if (key === "eventTypes") {
      for (const type of DEFAULT_EVENT_TYPES) expect(readme).toContain(type);
    } else {
      expect(row!.fallback).toBe(documented(defaults[key as keyof Config]));
    }
  });

  it("has no rows for settings that do not exist", () => {
    expect([...rows.keys()].filter((env) => !Object.values(ENV_NAMES).includes(env))).toEqual([]);
  });
});
