/**
 * `posthorn storage` and `posthorn storage prune [--dry-run]` against a real server (fake clock,
 * PGlite): the table of partitions with the next prune's verdict and the totals, --json, a dry
 * run that drops nothing, a prune that drops the expected days, and a customer key refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyRole } from "@posthorn/sdk";
import { runProcess } from "../e2e/child-process.js";
import { storeOldDays } from "../helpers/storage-fixture.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

const SIZE = String.raw`\d+\.\d (?:KiB|MiB)`;

describe("posthorn storage", () => {
  let t: TestApp;
  const posthorn = (args: string[], key = TEST_ADMIN_KEY) =>
    runProcess("node", ["server/bin/posthorn.js", ...args, "--address", t.app.address!, "--api-key", key], { env: { POSTHORN_API_KEY: undefined } });
  const storedDays = async () => (await t.client.getStorage({})).days.map((day) => day.partitions[0]!.name);

  beforeAll(async () => {
    t = await startTestApp("pglite");
    await storeOldDays(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("prints one row per partition with its size and the next prune's verdict, then the totals and the settings", async () => {
    const { code, stdout, stderr } = await posthorn(["storage"]);
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^DAY \(UTC\)\s+TABLE\s+PARTITION\s+SIZE\s+ROWS \(EST\.\)\s+NEXT PRUNE$/);
    const row = (partition: string) => lines.find((line) => line.includes(` ${partition} `)) ?? "";
    expect(row("events_p20261101")).toMatch(new RegExp(`^2026-11-01\\s+events\\s+events_p20261101\\s+${SIZE}\\s+(-|\\d+)\\s+drop: past retention \\(30 days\\), no pending deliveries$`));
    expect(row("deliveries_p20261102")).toMatch(/\skeep: 1 pending delivery$/);
    expect(row("attempts_p20261204")).toMatch(/\skeep: within retention until 2027-01-04T00:00:00\.000Z$/);
    expect(lines.filter((line) => /^\d{4}-\d\d-\d\d /.test(line))).toHaveLength(12);
    expect(stdout).toMatch(new RegExp(`\\n\\n4 days, ${SIZE} in all; the next prune drops 2 \\(${SIZE}\\)\\.\\n`));
    expect(lines.at(-1)).toBe(
      "Retention: 30 days (POSTHORN_RETENTION_DAYS), payloads for as long (POSTHORN_PAYLOAD_RETENTION_DAYS); this server prunes (POSTHORN_PRUNE=on).",
    );
  });

  it("--json prints the GetStorageResponse (64-bit counts as strings)", async () => {
    const { code, stdout } = await posthorn(["storage", "--json"]);
    expect(code).toBe(0);
    const response = JSON.parse(stdout) as { days: { startTime?: string; bytes: string; drop: boolean; pendingDeliveries: string }[]; retention: object; totalBytes: string };
    expect(response.retention).toEqual({ retentionDays: 30, payloadRetentionDays: 0, pruneEnabled: true });
    expect(response.days.map((day) => [day.startTime, day.drop, day.pendingDeliveries])).toEqual([
      ["2026-11-01T00:00:00Z", true, "0"],
      ["2026-11-02T00:00:00Z", false, "1"],
      ["2026-11-03T00:00:00Z", true, "0"],
      ["2026-12-04T00:00:00Z", false, "0"],
    ]);
    expect(BigInt(response.totalBytes)).toBe(response.days.reduce((sum, day) => sum + BigInt(day.bytes), 0n));
  });

  it("prune --dry-run shows what would be dropped and drops nothing", async () => {
    const before = await storedDays();
    const { code, stdout, stderr } = await posthorn(["storage", "prune", "--dry-run"]);
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^DAY \(UTC\)\s+SIZE\s+ACTION\s+REASON$/);
    expect(lines.slice(1, 5).map((line) => line.split(/\s{2,}/)[2])).toEqual(["would drop", "kept", "would drop", "kept"]);
    expect(lines.at(-1)).toMatch(new RegExp(`^Dry run: a prune would drop 2 days \\(${SIZE}\\); nothing was dropped\\.$`));
    expect(await storedDays()).toEqual(before);
  });

  it("prune drops the days past retention without pending deliveries; a second finds nothing", async () => {
    const { code, stdout, stderr } = await posthorn(["storage", "prune", "--json"]);
    expect(code, stderr).toBe(0);
    const response = JSON.parse(stdout) as { dropped: { startTime: string }[]; kept: { startTime: string; reason: string }[]; dryRun: boolean };
    expect(response.dryRun).toBe(false);
    expect(response.dropped.map((day) => day.startTime)).toEqual(["2026-11-01T00:00:00Z", "2026-11-03T00:00:00Z"]);
    expect(await storedDays()).toEqual(["events_p20261102", "events_p20261204"]);

    const again = await posthorn(["storage", "prune"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trimEnd().split("\n").at(-1)).toBe("Dropped 0 days, freed 0 bytes.");
  });

  it("a customer key is refused with PERMISSION_DENIED and exit code 1", async () => {
    const { key } = await t.client.createApiKey({ name: "customer", role: ApiKeyRole.CUSTOMER, customerId: "cus_kept" });
    for (const [args, method] of [[["storage"], "GetStorage"], [["storage", "prune", "--dry-run"], "PruneStorage"]] as const) {
      const { code, stdout, stderr } = await posthorn([...args], key);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toMatch(new RegExp(`^posthorn: PERMISSION_DENIED \\(7\\): .* may not call ${method}; it needs a key with role admin\\n`));
    }
  });
});
