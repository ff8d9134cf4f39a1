/**
 * `posthorn keys` and `posthorn audit` against real servers (child processes on PGlite): a
 * customer key created with the CLI sees only its customer and stops working once revoked; a
 * fresh server without POSTHORN_BOOTSTRAP_ADMIN_KEY writes `<dataDir>/admin.key` (0600), which
 * client commands on this machine use when no key is given.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../e2e/child-process.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

/** Runs `posthorn <args>` from the repository root with `env` added (POSTHORN_API_KEY unset unless given). */
function posthorn(args: string[], env: Record<string, string | undefined> = {}) {
  return runProcess("node", ["server/bin/posthorn.js", ...args], { env: { POSTHORN_API_KEY: undefined, ...env } });
}

/** The rows of a table printed by a list command, each cut into cells at the header's columns. */
function tableRows(stdout: string): Record<string, string>[] {
  const [header, ...lines] = stdout.trimEnd().split("\n");
  const names = header!.split(/ {2,}/);
  const starts = names.map((name) => header!.indexOf(name));
  return lines.map((line) => Object.fromEntries(names.map((name, i) => [name, line.slice(starts[i], starts[i + 1]).trim()])));
}

describe("posthorn keys with an admin key (POSTHORN_API_KEY)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "posthorn-keys-"));
  let server: ServerProcess | undefined;
  let admin: Record<string, string>;
  beforeAll(async () => {
    server = await spawnServer({ POSTHORN_DATA_DIR: dataDir });
    admin = { POSTHORN_API_KEY: TEST_ADMIN_KEY, POSTHORN_ADDRESS: server.address };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates a customer key that lists only its customer's subscriptions, revokes it, and the audit log shows both", async () => {
    for (const customer of ["cus_keys_a", "cus_keys_b"]) {
      const subscribed = await posthorn(["subscribe", "--customer", customer, "--url", `https://example.com/${customer}`], admin);
      expect(subscribed.code, subscribed.stderr).toBe(0);
    }

    const created = await posthorn(["keys", "create", "--name", "portal a", "--role", "customer", "--customer", "cus_keys_a"], admin);
    expect(created.code, created.stderr).toBe(0);
    const keyId = /^Created (key_[0-9a-f]{24}) "portal a": customer cus_keys_a, expires never\.$/m.exec(created.stdout)?.[1];
    expect(keyId, created.stdout).toBeDefined();
    const key = /^Key: (phk_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(key, created.stdout).toBeDefined();
    expect(created.stdout).toContain("it will not be shown again");

    const customer = { POSTHORN_API_KEY: key!, POSTHORN_ADDRESS: server!.address };
    const listed = await posthorn(["subscriptions"], customer);
    expect(listed.code, listed.stderr).toBe(0);
    expect(tableRows(listed.stdout).map((row) => row.CUSTOMER)).toEqual(["cus_keys_a"]);
    // Key management is for admin keys only.
    const denied = await posthorn(["keys", "list"], customer);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/PERMISSION_DENIED/);

    const keys = tableRows((await posthorn(["keys", "list"], admin)).stdout);
    expect(keys.find((row) => row.ID === keyId)).toMatchObject({
      NAME: "portal a",
      ROLE: "customer",
      CUSTOMER: "cus_keys_a",
      PREFIX: `${key!.slice(0, 12)}…`,
      EXPIRES: "never",
      REVOKED: "-",
    });
    expect(keys.find((row) => row.NAME === "bootstrap admin")).toMatchObject({ ROLE: "admin", CUSTOMER: "-" });

    const revoked = await posthorn(["keys", "revoke", keyId!], admin);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^Revoked ${keyId} "portal a"`));

    const refused = await posthorn(["subscriptions"], customer);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`UNAUTHENTICATED \\(16\\): API key ${keyId} was revoked at `));

    // Revoked keys are listed with --all only.
    expect((await posthorn(["keys", "list"], admin)).stdout).not.toContain(keyId);
    const all = tableRows((await posthorn(["keys", "list", "--all"], admin)).stdout);
    expect(all.find((row) => row.ID === keyId)?.REVOKED).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const audit = await posthorn(["audit", "--limit", "3"], admin);
    expect(audit.code, audit.stderr).toBe(0);
    const records = tableRows(audit.stdout.replace(/\n… more.*$/s, ""));
    // Newest first: the revocation, the creation, the last subscription.
    expect(records.map((row) => row.METHOD)).toEqual(["RevokeApiKey", "CreateApiKey", "Subscribe"]);
    expect(records[0]).toMatchObject({ "KEY NAME": "bootstrap admin", ROLE: "admin", TARGETS: keyId });
    expect(audit.stdout).toContain("… more; raise --limit to see them.");
    const ofCustomer = tableRows((await posthorn(["audit", "--customer", "cus_keys_b"], admin)).stdout);
    expect(ofCustomer.map((row) => [row.METHOD, row.CUSTOMER])).toEqual([["Subscribe", "cus_keys_b"]]);
  }, 180_000);

  it("creates an expiring emitter key limited to customers; --json prints the response with the key", async () => {
    const created = await posthorn(
      ["keys", "create", "--name", "billing", "--role", "emitter", "--emit-customer", "cus_x,cus_y", "--emit-customer", "cus_z", "--expires-in", "30d", "--json"],
      admin,
    );
    expect(created.code, created.stderr).toBe(0);
    const response = JSON.parse(created.stdout) as { key: string; apiKey: { role: string; emitCustomerIds: string[]; expireTime: string } };
    expect(response.key).toMatch(/^phk_[A-Za-z0-9_-]{43}$/);
    expect(response.apiKey.role).toBe("API_KEY_ROLE_EMITTER");
    expect(response.apiKey.emitCustomerIds).toEqual(["cus_x", "cus_y", "cus_z"]);
    const days = (Date.parse(response.apiKey.expireTime) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
  }, 60_000);
});

describe("posthorn keys: input checked before any call", () => {
  it.each([
    [["keys", "create", "--name", "x"], /required option '--role <role>'/],
    [["keys", "create", "--name", "x", "--role", "customer"], /--customer: required with --role customer/],
    [["keys", "create", "--name", "x", "--role", "admin", "--customer", "cus_a"], /--customer: only --role customer keys are bound to a customer; drop it/],
    [["keys", "create", "--name", "x", "--role", "customer", "--customer", "cus_a", "--emit-customer", "cus_b"], /--emit-customer: only --role emitter keys/],
    [["keys", "create", "--name", "x", "--role", "emitter", "--expires-in", "3w"], /--expires-in: expected a duration .* \(3600s, 90m, 12h, 30d\), got "3w"/],
  ])("posthorn %s exits 2", async (args, message) => {
    // An address where nothing listens: the command must fail before calling it.
    const { code, stderr } = await posthorn(args, { POSTHORN_ADDRESS: "127.0.0.1:1" });
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it("keys generate prints a new key without a server", async () => {
    const generated = await posthorn(["keys", "generate"], { POSTHORN_ADDRESS: "127.0.0.1:1" });
    expect(generated.code).toBe(0);
    expect(generated.stdout.trim()).toMatch(/^phk_[A-Za-z0-9_-]{43}$/);
  });
});

describe("the bootstrap admin key file", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "posthorn-admin-key-"));
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    // No POSTHORN_BOOTSTRAP_ADMIN_KEY (empty is unset): the server makes a key and writes it down.
    server = await spawnServer({ POSTHORN_DATA_DIR: dataDir, POSTHORN_BOOTSTRAP_ADMIN_KEY: "" });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is written as <dataDir>/admin.key (0600), and client commands on this machine use it with no key given", async () => {
    const path = join(dataDir, "admin.key");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const key = readFileSync(path, "utf8").trim();
    expect(key).toMatch(/^phk_[A-Za-z0-9_-]{43}$/);
    // The log says where the key is, never the key.
    expect(server!.lines.some((line) => line.includes("created the first admin API key") && line.includes(path))).toBe(true);
    expect(server!.lines.join("\n")).not.toContain(key);

    const listed = await posthorn(["keys", "list"], { POSTHORN_DATA_DIR: dataDir, POSTHORN_ADDRESS: server!.address });
    expect(listed.code, listed.stderr).toBe(0);
    expect(tableRows(listed.stdout)).toEqual([expect.objectContaining({ NAME: "bootstrap admin", ROLE: "admin", PREFIX: `${key.slice(0, 12)}…` })]);

    // Without the file (another data folder) and without a key, the call is refused.
    const elsewhere = await posthorn(["keys", "list"], { POSTHORN_DATA_DIR: join(dataDir, "nowhere"), POSTHORN_ADDRESS: server!.address });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/UNAUTHENTICATED \(16\): no API key/);

    // A key file others may read still works, with a warning that says how to fix it.
    chmodSync(path, 0o644);
    try {
      const loose = await posthorn(["keys", "list"], { POSTHORN_DATA_DIR: dataDir, POSTHORN_ADDRESS: server!.address });
      expect(loose.code, loose.stderr).toBe(0);
      expect(loose.stderr).toContain(`posthorn: warning: ${path} holds an admin key and others may read it (mode 0644); run chmod 600 on it`);
    } finally {
      chmodSync(path, 0o600);
    }
  }, 60_000);
});
