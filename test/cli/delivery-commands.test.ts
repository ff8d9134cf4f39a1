/**
 * `posthorn deliveries` (compact table) and `deliveries get <id>` (every attempt, full texts)
 * against a real server whose workers deliver to a loopback receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../e2e/child-process.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

/** A redirect is not followed: the delivery fails at once with a reason naming the (long) Location. */
const LOCATION = `https://example.com/${"moved-".repeat(40)}`;

describe("posthorn deliveries", () => {
  let t: TestApp;
  let receiver: Receiver;
  let failed: string;
  const posthorn = (...args: string[]) => runProcess("node", ["server/bin/posthorn.js", ...args, "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY]);

  beforeAll(async () => {
    receiver = await startReceiver((request, _index, response) => {
      if (request.url.startsWith("/moved")) response.writeHead(301, { location: LOCATION }).end("gone elsewhere\n");
      else response.writeHead(200).end("ok");
    });
    const origin = new URL(receiver.url).origin;
    t = await startTestApp("pglite", { workers: true });
    await t.client.subscribe({ customerId: "cus_cli_dlv", endpointUrl: `${origin}/moved` });
    await t.client.emit({ type: "lead.created", customerId: "cus_cli_dlv" });
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ customerId: "cus_cli_dlv" });
    failed = deliveries[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it("the list keeps the STATE column short and points to `deliveries get` for the full reason", async () => {
    const { code, stdout, stderr } = await posthorn("deliveries", "--customer", "cus_cli_dlv");
    expect(code).toBe(0);
    const [header, row, ...rest] = stdout.trimEnd().split("\n");
    expect(rest).toEqual([]); // stdout is the table alone; the hint is for people, on stderr
    const state = row!.slice(header!.indexOf("STATE"), header!.indexOf("ATTEMPTS")).trim();
    expect(state).toMatch(/^failed \(redirect status 301 .*…$/);
    expect([...state].length).toBeLessThanOrEqual(32);
    expect(row).not.toContain("moved-moved-moved-moved");
    expect(stderr).toBe("Full reasons and attempt details: posthorn deliveries get <id> (or --json).\n");
  });

  it("get shows the full reason and each attempt's texts; --json is the Delivery with numbers as numbers", async () => {
    const text = await posthorn("deliveries", "get", failed);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Delivery      ${failed}`);
    expect(text.stdout).toContain(`State         failed: redirect status 301 not followed (Location: ${LOCATION}) (updated 2026-11-29 12:00:00 UTC)`);
    expect(text.stdout).toMatch(/^#1 {2}2026-11-29 12:00:00 UTC {2}301 {2}\d+ ms {2}final {2}\(att_[0-9a-f]{24}\)$/m);
    expect(text.stdout).toContain("    response:  gone elsewhere\n");
    expect(text.stdout).not.toMatch(/^\s+$/m); // the body's final line break adds no blank line
    const { code, stdout } = await posthorn("deliveries", "get", failed, "--json");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { id: string; attemptCount: unknown; attempts: Record<string, unknown>[] };
    expect(doc).toMatchObject({ id: failed, state: "DELIVERY_STATE_FAILED", attemptCount: 1 });
    expect(doc.attempts[0]).toMatchObject({ attemptNumber: 1, statusCode: 301, errorKind: "ATTEMPT_ERROR_KIND_UNSPECIFIED", succeeded: false, willRetry: false });
    expect(typeof doc.attempts[0]!.durationMs).toBe("number");
  });

  it("--event-type, --since and --until narrow the list; a bad time names its flag", async () => {
    // The server's fake clock created the delivery at 2026-11-29T12:00:00Z.
    const ids = async (...flags: string[]) => {
      const { code, stdout } = await posthorn("deliveries", "--customer", "cus_cli_dlv", "--json", ...flags);
      expect(code).toBe(0);
      return (JSON.parse(stdout) as { id: string }[]).map((d) => d.id);
    };
    expect(await ids("--event-type", "lead.created", "--since", "2026-11-29T11:00:00Z", "--until", "2026-11-29T13:00:00Z")).toEqual([failed]);
    expect(await ids("--event-type", "deal.won")).toEqual([]);
    expect(await ids("--since", "2026-11-29T12:00:01Z")).toEqual([]);
    expect(await ids("--until", "2026-11-29T12:00:00Z")).toEqual([]);
    const bad = await posthorn("deliveries", "--until", "yesterday");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--until: expected an ISO date/time (2026-11-29T12:00:00Z) or a duration ago (30m, 24h, 7d), got "yesterday"');
    const reversed = await posthorn("deliveries", "--since", "1h", "--until", "2h");
    expect(reversed.code).toBe(1);
    expect(reversed.stderr).toContain("created_before: must be later than created_after");
  });

  it("get with an unknown id exits 1 with NOT_FOUND", async () => {
    const { code, stderr } = await posthorn("deliveries", "get", "dlv_000000000000000000000000");
    expect(code).toBe(1);
    expect(stderr).toContain("NOT_FOUND (5)");
    expect(stderr).toContain("dlv_000000000000000000000000");
  });
});
