/** `posthorn subscriptions` against a real server: the SECRETS column counts the valid secrets and shows the latest expiry. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../e2e/child-process.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

describe("posthorn subscriptions", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  const secretsOf = async (id: string) => {
    const { code, stdout } = await runProcess("node", ["server/bin/posthorn.js", "subscriptions", "--customer", "cus_cli", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY]);
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trimEnd().split("\n");
    const row = rows.find((line) => line.startsWith(id))!;
    // Columns are padded to the widest cell: cut each at the header's column starts.
    const start = header!.indexOf("SECRETS");
    return row.slice(start, header!.indexOf("ENDPOINT")).trim();
  };

  it("counts the valid secrets and shows when the previous ones stop; after grace 0 only one is left", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_cli", endpointUrl: "https://example.com/h" });
    const id = subscription!.id;
    expect(await secretsOf(id)).toBe("1");
    await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 3600 });
    await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 7200 });
    // The fake clock stands at 2026-11-29 12:00:00 UTC.
    expect(await secretsOf(id)).toBe("3 (previous until 2026-11-29 14:00:00)");
    await t.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 0 });
    expect(await secretsOf(id)).toBe("1");
  });
});
