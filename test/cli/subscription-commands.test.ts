/**
 * `posthorn subscriptions get | update | enable | disable | delete | rotate-secret` against a
 * real server: the text, the `--json` shape, and an unknown id (NOT_FOUND, exit 1).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../e2e/child-process.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

const UNKNOWN_ID = "sub_000000000000000000000000";

describe("posthorn subscriptions <id> commands", () => {
  let t: TestApp;
  let id: string;
  const posthorn = (...args: string[]) => runProcess("node", ["server/bin/posthorn.js", ...args, "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY]);
  const json = async (...args: string[]) => {
    const { code, stdout, stderr } = await posthorn(...args, "--json");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    t = await startTestApp("pglite");
    const { subscription } = await t.client.subscribe({ customerId: "cus_cli_sub", endpointUrl: "https://example.com/a", description: "first" });
    id = subscription!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("get prints every field; --json prints the Subscription with its defaults and numbers as numbers", async () => {
    const text = await posthorn("subscriptions", "get", id);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`ID           ${id}`);
    expect(text.stdout).toContain("Endpoint     https://example.com/a");
    expect(text.stdout).toContain("Events       all");
    expect(text.stdout).toContain("Description  first");
    const doc = await json("subscriptions", "get", id);
    expect(doc).toMatchObject({ id, customerId: "cus_cli_sub", endpointUrl: "https://example.com/a", enabled: true, eventTypes: [], disabledReason: "" });
    expect(doc.secrets).toEqual([{ current: true }]);
  });

  it("update changes only the fields given; no field is a usage error (exit 2)", async () => {
    const doc = await json("subscriptions", "update", id, "--url", "https://example.com/b", "--events", "lead.created,deal.won");
    expect(doc).toMatchObject({ subscription: { id, endpointUrl: "https://example.com/b", eventTypes: ["lead.created", "deal.won"], description: "first" }, canceledDeliveries: 0 });
    const text = await posthorn("subscriptions", "update", id, "--all-events", "--description", "");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Updated ${id}.`);
    expect(text.stdout).toContain("Events       all");
    expect(text.stdout).toContain("Description  -");
    const none = await posthorn("subscriptions", "update", id);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("nothing to change: give --url");
    const badType = await posthorn("subscriptions", "update", id, "--events", "no.such");
    expect(badType.code).toBe(1);
    expect(badType.stderr).toContain("INVALID_ARGUMENT (3)");
    expect(badType.stderr).toContain("Run `posthorn event-types` to see the event types this server accepts.");
  });

  it("subscribe and update set the rate limit and ordering; out of range is a usage error naming the flag", async () => {
    const made = await posthorn("subscribe", "--customer", "cus_cli_sub", "--url", "https://example.com/slow", "--rate-limit", "10", "--ordered", "--json");
    expect(made.code).toBe(0);
    const created = (JSON.parse(made.stdout) as { subscription: { id: string; rateLimitPerSecond: number; ordered: boolean } }).subscription;
    expect(created).toMatchObject({ rateLimitPerSecond: 10, ordered: true });
    const shown = await posthorn("subscriptions", "get", created.id);
    expect(shown.stdout).toContain("Delivery     ordered (one at a time, in emit order), at most 10/s (burst 10)");
    const doc = await json("subscriptions", "update", created.id, "--rate-limit-burst", "25", "--no-ordered");
    expect(doc).toMatchObject({ subscription: { rateLimitPerSecond: 10, rateLimitBurst: 25, ordered: false } });
    const off = await posthorn("subscriptions", "update", created.id, "--rate-limit", "0");
    expect(off.stdout).toContain("Delivery     unordered, no rate limit");
    const tooFast = await posthorn("subscriptions", "update", created.id, "--rate-limit", "20000");
    expect(tooFast.code).toBe(2);
    expect(tooFast.stderr).toContain('--rate-limit: expected a whole number from 0 to 10000, got "20000"');
    const burstAlone = await posthorn("subscriptions", "update", created.id, "--rate-limit-burst", "5");
    expect(burstAlone.code).toBe(1);
    expect(burstAlone.stderr).toContain("subscription.rate_limit_burst: needs a rate_limit_per_second");
  });

  it("disable cancels pending deliveries and says how many; enable turns it back on", async () => {
    await t.client.emit({ type: "lead.created", customerId: "cus_cli_sub" }); // workers are off: it stays pending
    const disabled = await posthorn("subscriptions", "disable", id);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain(`Disabled ${id}; canceled 1 pending delivery.`);
    expect(disabled.stdout).toContain("Enabled      no");
    const enabled = await posthorn("subscriptions", "enable", id);
    expect(enabled.stdout).toContain(`Enabled ${id}.`);
    const doc = await json("subscriptions", "enable", id);
    expect(doc).toMatchObject({ subscription: { id, enabled: true }, canceledDeliveries: 0 });
  });

  it("rotate-secret prints the new secret once and the grace period; --json carries the secret", async () => {
    const text = await posthorn("subscriptions", "rotate-secret", id, "--grace-period", "2h");
    expect(text.code).toBe(0);
    const secret = /^Secret: (whsec_\S+)$/m.exec(text.stdout)![1]!;
    expect(text.stdout).toContain("it is shown only now");
    // The fake clock stands at 2026-11-29 12:00:00 UTC.
    expect(text.stdout).toContain("until 2026-11-29 14:00:00 UTC");
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const doc = await json("subscriptions", "rotate-secret", id, "--grace-period", "0");
    expect(doc.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(doc.secret).not.toBe(secret);
    expect((doc.subscription as { secrets: unknown[] }).secrets).toEqual([{ current: true }]);
    const tooLong = await posthorn("subscriptions", "rotate-secret", id, "--grace-period", "8d");
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("--grace-period: expected 0 or a duration of up to 7d");
  });

  it("delete needs --yes (exit 2, nothing deleted); with it the subscription is gone", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_cli_sub", endpointUrl: "https://example.com/gone" });
    const goneId = subscription!.id;
    const refused = await posthorn("subscriptions", "delete", goneId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`not deleted: add --yes to delete ${goneId}`);
    expect((await t.client.getSubscription({ id: goneId })).subscription!.id).toBe(goneId);
    const doc = await json("subscriptions", "delete", goneId, "--yes");
    expect(doc).toEqual({ id: goneId, canceledDeliveries: 0 });
    const again = await posthorn("subscriptions", "get", goneId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("NOT_FOUND (5)");
  });

  it("an unknown id exits 1 with NOT_FOUND for every command", async () => {
    for (const args of [["get"], ["update", "--url", "https://example.com/x"], ["enable"], ["disable"], ["delete", "--yes"], ["rotate-secret"]]) {
      const [name, ...rest] = args as [string, ...string[]];
      const { code, stderr } = await posthorn("subscriptions", name, UNKNOWN_ID, ...rest);
      expect({ name, code, notFound: stderr.includes(`NOT_FOUND (5)`) && stderr.includes(UNKNOWN_ID) }).toEqual({ name, code: 1, notFound: true });
    }
  });

  it("--help wraps its subcommands' descriptions at 80 columns, as `posthorn --help` does", async () => {
    const { code, stdout } = await runProcess("node", ["server/bin/posthorn.js", "subscriptions", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("rotate-secret [options] <id>");
    expect(stdout.split("\n").filter((line) => [...line].length > 80)).toEqual([]);
  });

  it("the bare form and `list` still list", async () => {
    const bare = await posthorn("subscriptions", "--customer", "cus_cli_sub");
    const list = await posthorn("subscriptions", "list", "--customer", "cus_cli_sub");
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain(id);
    expect(list.stdout).toBe(bare.stdout);
  });
});
