/**
 * An Emit refused by a schema whose own text is long (a long `pattern`, deep `$defs`): the
 * INVALID_ARGUMENT message stays short enough for a gRPC status (each problem's reason and schema
 * pointer are cut), so the caller gets the refusal, not a broken call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError } from "./expect-error.js";

const LONG_PATTERN = `^(${Array.from({ length: 800 }, (_, n) => `code${n}`).join("|")})$`;
const LONG_NAME = "p".repeat(3000);

const CATALOG = [
  {
    name: "code.set",
    schema: {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 6 }, (_, n) => [`${LONG_NAME}${n}`, { type: "string", pattern: LONG_PATTERN }])),
    },
  },
];

describe.each(STORES)("Emit refused by a long schema (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { eventTypes: CATALOG });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("gets INVALID_ARGUMENT with a bounded message", async () => {
    const data = Object.fromEntries(Array.from({ length: 6 }, (_, n) => [`${LONG_NAME}${n}`, "nope"]));
    const error = await expectError(t.client.emit({ type: "code.set", customerId: `cus_long_${kind}`, data }), status.INVALID_ARGUMENT, /must match pattern/);
    expect(String((error as { details?: string }).details ?? error.message).length).toBeLessThan(4000);
  });
});
