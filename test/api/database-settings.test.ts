import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/** The pool's settings as PostgreSQL sees them (PostgreSQL only: the embedded database has no pool or application_name). */
describeOnPostgres("database pool settings (postgres)", () => {
  let t: TestApp;
  const name = `posthorn-test-${process.pid}`;

  beforeAll(async () => {
    // Workers on: the LISTEN connection is theirs.
    t = await startTestApp("postgres", { dbApplicationName: name, dbPoolSize: 3, metricsAddress: "127.0.0.1:0", workers: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the process's connections carry POSTHORN_DB_APPLICATION_NAME in pg_stat_activity, the LISTEN one with -listen", async () => {
    await t.client.emit({ type: "lead.created", customerId: "cus_settings", data: {} });
    const database = new URL(t.database.databaseUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ application_name: string }>(
        "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = $1 ORDER BY 1",
        [database],
      );
      expect(rows.map((r) => r.application_name)).toEqual([name, `${name}-listen`]);
    } finally {
      await admin.end();
    }
  });

  it("the pool opens at most POSTHORN_DB_POOL_SIZE connections", async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => t.client.emit({ type: "lead.created", customerId: `cus_pool_${i}`, data: {} })));
    const text = await (await fetch(`http://${t.app.metricsAddress}/metrics`)).text();
    expect(text).toMatch(/^posthorn_db_pool_max_connections 3$/m);
    const open = Number(/^posthorn_db_pool_connections (\d+)$/m.exec(text)![1]);
    expect(open).toBeGreaterThan(0);
    expect(open).toBeLessThanOrEqual(3);
  });
});
