/**
 * `posthorn portal` against a real server (a child process on PGlite): the printed URL's key
 * works as a customer key for that customer only; --json, --ttl checks and --open.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../e2e/child-process.js";
import { eventually } from "../helpers/eventually.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

const SESSION_URL = /^https:\/\/hooks\.example\.com\/portal\/#key=(phk_[A-Za-z0-9_-]{43})$/;

/** Runs `posthorn <args>` from the repository root with `env` added (POSTHORN_API_KEY unset unless given). */
function posthorn(args: string[], env: Record<string, string | undefined> = {}) {
  return runProcess("node", ["server/bin/posthorn.js", ...args], { env: { POSTHORN_API_KEY: undefined, ...env } });
}

/** The file's text, or "" while it does not exist. */
function readIfThere(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

describe("posthorn portal", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "posthorn-portal-"));
  let server: ServerProcess | undefined;
  let admin: Record<string, string>;
  beforeAll(async () => {
    server = await spawnServer({ POSTHORN_DATA_DIR: dataDir, POSTHORN_HTTP_ADDRESS: "127.0.0.1:0", POSTHORN_PUBLIC_URL: "https://hooks.example.com" });
    admin = { POSTHORN_API_KEY: TEST_ADMIN_KEY, POSTHORN_ADDRESS: server.address };
    for (const customer of ["cus_portal_a", "cus_portal_b"]) {
      const subscribed = await posthorn(["subscribe", "--customer", customer, "--url", `https://example.com/${customer}`], admin);
      expect(subscribed.code, subscribed.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the URL, then the session and its expiry; the URL's key sees only that customer", async () => {
    const opened = await posthorn(["portal", "--customer", "cus_portal_a", "--ttl", "30m"], admin);
    expect(opened.code, opened.stderr).toBe(0);
    const [url, about] = opened.stdout.trimEnd().split("\n");
    const key = SESSION_URL.exec(url!)?.[1];
    expect(key, opened.stdout).toBeDefined();
    expect(about).toMatch(/^Portal session key_[0-9a-f]{24} for customer cus_portal_a, expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\. .*`posthorn keys revoke key_[0-9a-f]{24}` ends it now\.$/);

    const listed = await posthorn(["subscriptions", "--json"], { POSTHORN_API_KEY: key!, POSTHORN_ADDRESS: server!.address });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { customerId: string }[]).map((s) => s.customerId)).toEqual(["cus_portal_a"]);
  });

  it("--json prints the CreatePortalSessionResponse", async () => {
    const opened = await posthorn(["portal", "--customer", "cus_portal_b", "--json"], admin);
    expect(opened.code, opened.stderr).toBe(0);
    const response = JSON.parse(opened.stdout) as { url: string; apiKey: { name: string; role: string; customerId: string; expireTime: string; createTime: string } };
    expect(response.url).toMatch(SESSION_URL);
    expect(response.apiKey).toMatchObject({ name: "portal session", role: "API_KEY_ROLE_CUSTOMER", customerId: "cus_portal_b" });
    // No --ttl: one hour.
    expect(Date.parse(response.apiKey.expireTime) - Date.parse(response.apiKey.createTime)).toBe(3600 * 1000);
  });

  it("checks --ttl (1m to 24h) before calling, and needs an admin key", async () => {
    for (const ttl of ["30s", "25h", "86401", "soon"]) {
      const refused = await posthorn(["portal", "--customer", "cus_portal_a", "--ttl", ttl], admin);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("--ttl: expected");
    }
    const created = await posthorn(["keys", "create", "--name", "c", "--role", "customer", "--customer", "cus_portal_a", "--json"], admin);
    const customerKey = (JSON.parse(created.stdout) as { key: string }).key;
    const denied = await posthorn(["portal", "--customer", "cus_portal_a"], { POSTHORN_API_KEY: customerKey, POSTHORN_ADDRESS: server!.address });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("PERMISSION_DENIED");
  });

  it("--open hands the URL to the system opener (xdg-open here)", async () => {
    const bin = mkdtempSync(join(tmpdir(), "posthorn-opener-"));
    const received = join(bin, "opened.txt");
    writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > "${received}"\n`);
    chmodSync(join(bin, "xdg-open"), 0o755);
    try {
      const opened = await posthorn(["portal", "--customer", "cus_portal_a", "--open"], { ...admin, PATH: `${bin}:${process.env.PATH ?? ""}` });
      expect(opened.code, opened.stderr).toBe(0);
      const url = opened.stdout.split("\n")[0]!;
      expect(url).toMatch(SESSION_URL);
      // The opener runs detached, after the command has exited.
      expect(await eventually(async () => readIfThere(received), (text) => text !== "")).toBe(url);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
