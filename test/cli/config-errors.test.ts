/**
 * Bad configuration stops every command with exit 2 before anything is opened or created: the
 * message names the variable (or file key), shows the value (cut, passwords masked) and the fix.
 * Runs the real `posthorn` process.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { KNOWN_POSTHORN_VARIABLES } from "../../server/src/config/setting-names.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { REPO_ROOT, runProcess } from "../e2e/child-process.js";
import { TEST_SECRET_KEYS } from "../helpers/test-keys.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

const posthorn = (args: string[], env: NodeJS.ProcessEnv) => runProcess("node", ["server/bin/posthorn.js", ...args], { env });

/** A fresh folder; the embedded database would be created in `<folder>/data`. */
function scratch(): { dir: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "posthorn-config-cli-"));
  return { dir, dataDir: join(dir, "data") };
}

/** A config file holding `content` (JSON) in a fresh folder. */
function configFile(content: unknown): string {
  const file = join(scratch().dir, "posthorn.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const LONG_BRAND = `B${"x".repeat(300)}`;

interface Case {
  name: string;
  env: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
  /** Each must appear in stderr: the variable or key, the value, the fix. */
  says: string[];
  /** None may appear in stderr (secrets, an uncut value). */
  never?: string[];
}

const cases: Case[] = [
  {
    name: "a CIDR that is not one",
    env: { POSTHORN_ALLOWED_CIDRS: "127.0.0.1/32,notacidr" },
    says: ["POSTHORN_ALLOWED_CIDRS (allowedCidrs)", '"notacidr" is not a CIDR', "expected address/prefix-length, e.g. 127.0.0.1/32", '(got "127.0.0.1/32,notacidr")'],
  },
  {
    name: "an IPv4 prefix beyond 32",
    env: { POSTHORN_ALLOWED_CIDRS: "10.0.0.0/33" },
    says: ["POSTHORN_ALLOWED_CIDRS (allowedCidrs)", "prefix length 33 is out of range (IPv4: 0–32)", '(got "10.0.0.0/33")'],
  },
  {
    name: "an IPv6 prefix beyond 128",
    env: { POSTHORN_ALLOWED_CIDRS: "fd00::/129" },
    says: ["POSTHORN_ALLOWED_CIDRS (allowedCidrs)", "prefix length 129 is out of range (IPv6: 0–128)", '(got "fd00::/129")'],
  },
  {
    name: "a DATABASE_URL that is not PostgreSQL (password masked)",
    env: { DATABASE_URL: "mysql://app:hunter2@db.internal/posthorn" },
    says: ["DATABASE_URL (databaseUrl)", 'scheme "mysql://" is not PostgreSQL', "expected postgres://user:password@host:5432/database", '(got "mysql://app:***@db.internal/posthorn")'],
    never: ["hunter2"],
  },
  {
    name: "a DATABASE_URL without a host",
    env: { DATABASE_URL: "postgres://app:hunter2@/posthorn" },
    says: ["DATABASE_URL (databaseUrl)", "?host=/path/to/socket/folder", '(got "postgres://app:***@/posthorn")'],
    never: ["hunter2"],
  },
  {
    name: "a SOCKS egress proxy",
    env: { POSTHORN_EGRESS_PROXY: "socks5://proxy.internal:1080" },
    says: ["POSTHORN_EGRESS_PROXY (egressProxy)", "SOCKS proxies are not supported; use an HTTP(S) proxy", '(got "socks5://proxy.internal:1080")'],
  },
  {
    name: "a value too long to show whole",
    env: { POSTHORN_BRAND: LONG_BRAND },
    says: ["POSTHORN_BRAND (brand)", "letters, digits and '-'", `(got "${LONG_BRAND.slice(0, 80)}…")`],
    never: [LONG_BRAND.slice(0, 81)],
  },
  {
    name: "a misspelt variable",
    env: { POSTHORN_LISTEN_ADDRES: "127.0.0.1:0" },
    says: ["POSTHORN_LISTEN_ADDRES: not a Posthorn variable; did you mean POSTHORN_LISTEN_ADDRESS?"],
  },
  {
    name: "a misspelt config-file key",
    env: () => ({ POSTHORN_CONFIG_FILE: configFile({ listenAdress: "127.0.0.1:0" }) }),
    says: ['"listenAdress" in POSTHORN_CONFIG_FILE=', 'not a setting; did you mean "listenAddress"?'],
  },
  {
    name: "a bad value in the config file",
    env: () => ({ POSTHORN_CONFIG_FILE: configFile({ egressProxy: "socks5://proxy.internal:1080" }) }),
    says: ["egressProxy (in POSTHORN_CONFIG_FILE=", "SOCKS proxies are not supported", '(got "socks5://proxy.internal:1080")'],
  },
  {
    name: "a signing-secret key that is not 32 bytes (key never shown)",
    env: { POSTHORN_SECRET_KEYS: "k1:dG9vU2hvcnRLZXlNYXRlcmlhbA==" },
    says: ["POSTHORN_SECRET_KEYS (secretKeys)", 'entry 1 (key id "k1"): the key must be base64 of exactly 32 bytes', "(value not shown)"],
    never: ["dG9vU2hvcnRLZXlNYXRlcmlhbA"],
  },
];

describe("posthorn serve with bad configuration", { timeout: 60_000 }, () => {
  it.each(cases)("$name: exit 2, names it, creates nothing", async ({ env, says, never = [] }) => {
    const { dataDir } = scratch();
    // DATABASE_URL "" (unset) unless the case sets it: the embedded database is what would be created.
    const { code, stdout, stderr } = await posthorn(["serve"], {
      DATABASE_URL: "",
      POSTHORN_DATA_DIR: dataDir,
      POSTHORN_LISTEN_ADDRESS: "127.0.0.1:0",
      POSTHORN_METRICS_ADDRESS: "off",
      ...(typeof env === "function" ? env() : env),
    });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain("posthorn: invalid configuration:");
    for (const text of says) expect(stderr).toContain(text);
    for (const text of never) expect(stderr).not.toContain(text);
    expect(stderr).toContain('See "Configuration" in README.md');
    expect(stdout).toBe("");
    expect(existsSync(dataDir), "the embedded database folder was created").toBe(false);
  });
});

describe("posthorn migrate and the client commands", { timeout: 60_000 }, () => {
  it("migrate with a bad setting exits 2 before opening the database", async () => {
    const { dataDir } = scratch();
    const { code, stderr } = await posthorn(["migrate"], { DATABASE_URL: "", POSTHORN_DATA_DIR: dataDir, POSTHORN_ALLOWED_CIDRS: "notacidr" });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain('POSTHORN_ALLOWED_CIDRS (allowedCidrs): "notacidr" is not a CIDR');
    expect(existsSync(dataDir)).toBe(false);
  });

  it("a client command refuses a misspelt variable with the closest name", async () => {
    const { code, stderr } = await posthorn(["event-types", "--address", "127.0.0.1:1"], { POSTHORN_ADRESS: "127.0.0.1:50051" });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain("POSTHORN_ADRESS: not a Posthorn variable; did you mean POSTHORN_ADDRESS?");
  });

  it("a client command accepts the server's settings in the same shell (and reaches for the server)", async () => {
    const { code, stderr } = await posthorn(["event-types"], {
      POSTHORN_ADDRESS: "127.0.0.1:1",
      POSTHORN_LISTEN_ADDRESS: "127.0.0.1:50051",
      POSTHORN_ALLOWED_CIDRS: "127.0.0.1/32",
    });
    expect(code, stderr).toBe(1);
    expect(stderr).toContain("UNAVAILABLE (14)");
  });
});

describe("POSTHORN_* names in the repository", () => {
  it("every one is a setting or on the documented allow-list (config/posthorn-variables.ts)", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8" })
      .split("\0")
      .filter((file) => file !== "" && !file.startsWith("server/src/gen/") && !/\.(png|jpg|lock)$/.test(file))
      // This file and the parser's tests name unknown variables on purpose.
      .filter((file) => !["test/cli/config-errors.test.ts", "test/config/config-checks.test.ts"].includes(file))
      .filter((file) => existsSync(join(REPO_ROOT, file)));
    const names = new Set<string>();
    for (const file of files) {
      // A line showing the error itself (README's example) names an unknown variable on purpose.
      const lines = readFileSync(join(REPO_ROOT, file), "utf8").split("\n").filter((line) => !line.includes("not a Posthorn variable"));
      for (const match of lines.join("\n").matchAll(/(?<![A-Za-z0-9_])POSTHORN_[A-Z0-9_]*[A-Z0-9]/g)) names.add(match[0]);
    }
    expect(names.size).toBeGreaterThan(20);
    expect([...names].filter((name) => !KNOWN_POSTHORN_VARIABLES.includes(name)).sort()).toEqual([]);
  });
});

describeOnPostgres("a PostgreSQL role that may not create in schema public", { timeout: 120_000 }, () => {
  const role = `posthorn_limited_${Math.random().toString(36).slice(2, 8)}`;
  let database: TestDatabase | undefined;

  /** Runs `statements` as the test's superuser on `url`. */
  async function asAdmin(url: string, statements: string[]): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    await database?.drop();
    await asAdmin(process.env.DATABASE_URL!, [`DROP ROLE IF EXISTS ${role}`]);
  });

  it("gets exit 2 naming the role, the database and the GRANT that fixes it; after that GRANT it migrates", async () => {
    database = await createTestDatabase("postgres");
    const adminUrl = database.databaseUrl!;
    const databaseName = new URL(adminUrl).pathname.slice(1);
    await asAdmin(process.env.DATABASE_URL!, [`CREATE ROLE ${role} LOGIN PASSWORD 'not-shown-3141'`]);
    // PostgreSQL 15+ has no CREATE for PUBLIC on schema public; revoking makes older servers alike.
    await asAdmin(adminUrl, ["REVOKE CREATE ON SCHEMA public FROM PUBLIC"]);
    const roleUrl = new URL(adminUrl);
    roleUrl.username = role;
    roleUrl.password = "not-shown-3141";
    const env = {
      DATABASE_URL: roleUrl.toString(),
      POSTHORN_SECRET_KEYS: TEST_SECRET_KEYS,
      POSTHORN_LISTEN_ADDRESS: "127.0.0.1:0",
      POSTHORN_METRICS_ADDRESS: "off",
    };

    const grant = `GRANT USAGE, CREATE ON SCHEMA public TO ${role};`;
    for (const command of ["serve", "migrate"]) {
      const { code, stderr } = await posthorn([command], env);
      expect(code, `${command}: ${stderr}`).toBe(2);
      expect(stderr).toContain(`role "${role}" may not create tables in schema "public" of database "${databaseName}"`);
      expect(stderr).toContain("permission denied for schema public");
      expect(stderr).toContain(`run: ${grant}`);
      expect(stderr).not.toContain("not-shown-3141");
    }

    await asAdmin(adminUrl, [grant]);
    const migrated = await posthorn(["migrate"], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain("Applied migrations");

    // A migrated database needs no CREATE right: a role that only uses the tables may start.
    await asAdmin(adminUrl, [`REVOKE CREATE ON SCHEMA public FROM ${role}`]);
    const again = await posthorn(["migrate"], env);
    expect(again.code, again.stderr).toBe(0);
  });
});
