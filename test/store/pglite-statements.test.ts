import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initPgliteDataDir } from "../../server/src/store/pglite-first-start.js";
import { PgliteStatementCache } from "../../server/src/store/pglite-prepared.js";

/** The embedded store's statement cache (store/pglite-prepared.ts): PGlite only, it exists for PGlite. */
describe("PGlite statements run prepared (store/pglite-prepared.ts)", () => {
  let pglite: PGlite;
  let statements: PgliteStatementCache;
  const prepared = async () =>
    (await pglite.query<{ name: string }>("SELECT name FROM pg_prepared_statements ORDER BY name")).rows.map((row) => row.name);

  beforeAll(async () => {
    pglite = await PGlite.create();
    statements = new PgliteStatementCache(pglite);
    await pglite.exec(`
      CREATE TABLE t (id int PRIMARY KEY, at timestamptz, tags text[], body bytea, doc jsonb, note text, flag boolean);`);
  });
  afterAll(async () => {
    await pglite.close();
  });

  it("sends every kind of parameter as PGlite's own query does: same rows back, one statement per SQL text", async () => {
    const at = new Date(Date.UTC(2026, 11, 4, 12, 30, 15, 123));
    const row = [1, at, ["a", 'quo"te', "back\\slash", "it's"], new Uint8Array([0, 1, 254, 255]), { k: "v'\\" }, "O'Brien \\ done", true];
    const insert = "INSERT INTO t (id, at, tags, body, doc, note, flag) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *";
    const viaCache = await statements.query(insert, row);
    expect(viaCache.affectedRows).toBe(1);
    const direct = await pglite.query(insert, [2, ...row.slice(1)]);
    expect(viaCache.rows).toEqual([{ ...direct.rows[0]!, id: 1 }]);
    expect(viaCache.rows[0]).toMatchObject({ at, tags: row[2], note: row[5], doc: row[4], flag: true });

    const nulls = await statements.query("INSERT INTO t (id, at, note) VALUES ($1, $2, $3) RETURNING at, note", [3, null, undefined]);
    expect(nulls.rows).toEqual([{ at: null, note: null }]);
    const select = "SELECT id FROM t WHERE id = ANY($1::int[]) ORDER BY id";
    for (let i = 0; i < 7; i++) expect((await statements.query<{ id: number }>(select, [[1, 3]])).rows).toEqual([{ id: 1 }, { id: 3 }]);
    expect(await prepared()).toHaveLength(3); // two INSERTs and the SELECT, prepared once each
  });

  it("passes statements without parameters and utility statements through unprepared", async () => {
    const before = await prepared();
    await statements.query("SELECT 1");
    await statements.query("SET LOCAL work_mem = '8MB'");
    expect(await prepared()).toEqual(before);
  });

  it("a statement a schema change made stale fails that run, and is prepared anew on the next", async () => {
    const select = "SELECT * FROM t WHERE id = $1";
    expect((await statements.query(select, [1])).rows).toHaveLength(1);
    await pglite.exec("ALTER TABLE t ADD COLUMN extra int");
    await expect(statements.query(select, [1])).rejects.toMatchObject({ code: "0A000" });
    expect((await statements.query(select, [1])).rows[0]).toHaveProperty("extra", null);
  });

  it("a failed PREPARE (an error in the SQL) is not kept: the error is PostgreSQL's, every time", async () => {
    await expect(statements.query("SELECT nope FROM t WHERE id = $1", [1])).rejects.toThrow(/column "nope" does not exist/);
    await expect(statements.query("SELECT nope FROM t WHERE id = $1", [1])).rejects.toThrow(/column "nope" does not exist/);
  });
});

describe("a fresh PGlite folder is created in a child process (store/pglite-first-start.ts)", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), "posthorn-first-start-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("creates the cluster on disk with the given settings, and leaves an existing one alone", { timeout: 120_000 }, async () => {
    const dir = fresh();
    writeFileSync(join(dir, "admin.key"), "kept"); // the data folder holds Posthorn's own files too
    await initPgliteDataDir(dir, [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"]);
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
    const pglite = await PGlite.create(dir);
    await pglite.exec("CREATE TABLE marker (n int); INSERT INTO marker VALUES (42)");
    await pglite.close();
    await initPgliteDataDir(dir, PGlite.defaultStartParams); // exists: nothing runs, nothing is lost
    const again = await PGlite.create(dir);
    expect((await again.query("SELECT n FROM marker")).rows).toEqual([{ n: 42 }]);
    await again.close();
  });

  it("rejects with the child's error when the cluster cannot be created", { timeout: 60_000 }, async () => {
    const file = join(fresh(), "not-a-folder");
    writeFileSync(file, "");
    await expect(initPgliteDataDir(file, PGlite.defaultStartParams)).rejects.toThrow(/creating the embedded database in .*not-a-folder failed \(exit 1\)/);
  });
});
