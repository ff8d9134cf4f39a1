/**
 * Signing secrets at rest (issue 12): nothing in the database, its files or the logs holds a
 * `whsec_` secret; `posthorn rekey` moves every secret to a new key and deliveries still verify;
 * a secret that cannot be opened (copied between rows, key not configured) never burns an attempt.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { sql } from "kysely";
import pg from "pg";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookClient, type WebhookClient } from "@posthorn/sdk";
import { verifySignature } from "@posthorn/verifier";
import { startApp, type App, type AppOptions } from "../../server/src/app.js";
import type { ConfigInput } from "../../server/src/config/config.js";
import { parseConfig } from "../../server/src/config/load-config.js";
import { UNSEALABLE_RETRY_MS } from "../../server/src/delivery/claim-batch.js";
import { resealSecrets } from "../../server/src/secrets/reseal-secrets.js";
import { parseSecretKeys } from "../../server/src/domain/secret-key.js";
import { SecretKeyring } from "../../server/src/secrets/secret-keyring.js";
import { openStore } from "../../server/src/store/database.js";
import type { StoredSecretEntry } from "../../server/src/store/schema.js";
import { runProcess } from "../e2e/child-process.js";
import { createTestDatabase, STORES, type TestDatabase } from "../helpers/databases.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { bearer, TEST_ADMIN_KEY, TEST_SECRET_KEYS } from "../helpers/test-keys.js";

const K1 = `k1:${Buffer.alloc(32, 0x31).toString("base64")}`;
const K2 = `k2:${Buffer.alloc(32, 0x32).toString("base64")}`;
const K3 = `k3:${Buffer.alloc(32, 0x33).toString("base64")}`;

/** A server on an existing test database, its log lines kept (at `debug`), and a client with the admin key. */
interface Running {
  app: App;
  client: WebhookClient;
  logs: string[];
  stop(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(kind: "pglite" | "postgres"): Promise<TestDatabase> {
  const database = await createTestDatabase(kind);
  cleanups.push(() => database.drop());
  return database;
}

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

async function startOn(database: TestDatabase, config: ConfigInput, options: AppOptions = {}): Promise<Running> {
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) });
  const app = await startApp(
    parseConfig({
      listenAddress: "127.0.0.1:0",
      httpAddress: "127.0.0.1:0",
      dataDir: database.dataDir,
      databaseUrl: database.databaseUrl,
      metricsAddress: "off",
      allowedCidrs: ["127.0.0.1/32"],
      pollIntervalMs: 50,
      bootstrapAdminKey: TEST_ADMIN_KEY,
      ...config,
    }),
    { logger: pino({ level: "debug" }, sink), ...options },
  );
  const client = createWebhookClient({ address: app.address!, deadlineMs: 30_000, metadata: bearer(TEST_ADMIN_KEY) });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.close();
    await app.stop();
  };
  cleanups.push(stop);
  return { app, client, logs, stop };
}

/** Runs SQL on the test database (PGlite: only while no server has it open). */
async function withStore<T>(database: TestDatabase, fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function storedSecrets(database: TestDatabase): Promise<Map<string, StoredSecretEntry[]>> {
  return withStore(database, async (store) => {
    const rows = await store.db.selectFrom("subscriptions").select(["id", "secrets"]).execute();
    return new Map(rows.map((row) => [row.id, row.secrets]));
  });
}

/** Runs the real `posthorn rekey` on the test database with `keys`. */
function rekey(database: TestDatabase, keys: string) {
  return runProcess(process.execPath, ["server/bin/posthorn.js", "rekey"], {
    env: {
      DATABASE_URL: database.databaseUrl,
      POSTHORN_DATA_DIR: database.dataDir,
      POSTHORN_SECRET_KEYS: keys,
      POSTHORN_BOOTSTRAP_ADMIN_KEY: undefined,
    },
    timeoutMs: 90_000,
  });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

/** The markers of `secrets` that must appear nowhere: the prefix, and each secret's base64 body. */
function markers(secrets: string[]): string[] {
  return ["whsec_", ...secrets.map((secret) => secret.slice("whsec_".length))];
}

describe.each(STORES)("signing secrets at rest (%s)", (kind) => {
  it("without POSTHORN_SECRET_KEYS the key file serves one machine; another machine's key file cannot start on the same database", async () => {
    const database = await freshDatabase(kind);
    const first = await startOn(database, { workers: false });
    await first.client.subscribe({ customerId: "cus_a", endpointUrl: "https://example.com/hook" });
    await first.stop();
    const fileKey = JSON.parse(readFileSync(join(database.dataDir, "secret-keys"), "utf8")) as { keys: string[] };
    const keyId = fileKey.keys[0]!.split(":")[0]!;
    if (kind === "postgres") expect(first.logs.join("")).toContain("set POSTHORN_SECRET_KEYS on every process");
    // Another machine: the same database, its own (new) data folder and so its own key file.
    const elsewhere = { ...database, dataDir: mkdtempSync(join(tmpdir(), "posthorn-other-machine-")) };
    cleanups.push(async () => rmSync(elsewhere.dataDir, { recursive: true, force: true }));
    if (kind === "pglite") return; // one data folder is the whole embedded database
    await expect(startOn(elsewhere, { workers: false })).rejects.toThrow(
      new RegExp(`sealed under key "${keyId}", which the key file .* does not have`),
    );
  });

  it("after Subscribe and Rotate, no secret is in any table (PostgreSQL) or any file of the data folder (PGlite), nor in the logs", async () => {
    const database = await freshDatabase(kind);
    // PGlite: the key file the server makes in the data folder; PostgreSQL needs the keys set.
    const server = await startOn(database, { workers: false, ...(kind === "postgres" ? { secretKeys: TEST_SECRET_KEYS } : {}) });
    const { subscription, secret: first } = await server.client.subscribe({ customerId: "cus_rest", endpointUrl: "http://127.0.0.1:9/hook" });
    const { secret: second } = await server.client.rotateSubscriptionSecret({ id: subscription!.id, gracePeriodSeconds: 3600 });
    const { secret: third } = await server.client.rotateSubscriptionSecret({ id: subscription!.id, gracePeriodSeconds: 3600 });
    const secrets = [first, second, third];
    expect(secrets.every((secret) => secret.startsWith("whsec_"))).toBe(true);
    if (kind === "postgres") {
      const client = new pg.Client({ connectionString: database.databaseUrl });
      await client.connect();
      try {
        const { rows: tables } = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
        expect(tables.map((t) => t.name)).toContain("subscriptions");
        for (const { name } of tables) {
          const { rows } = await client.query<{ text: string | null }>(`SELECT string_agg(t::text, E'\\n') AS text FROM "${name}" AS t`);
          for (const marker of markers(secrets)) expect(rows[0]!.text ?? "", `table ${name}`).not.toContain(marker);
        }
      } finally {
        await client.end();
      }
    }
    await server.stop();
    if (kind === "pglite") {
      const files = filesUnder(database.dataDir);
      expect(files.length).toBeGreaterThan(10);
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const marker of markers(secrets)) expect(bytes.includes(Buffer.from(marker, "ascii")), `${file} holds ${marker.slice(0, 6)}…`).toBe(false);
      }
    }
    const entries = (await storedSecrets(database)).get(subscription!.id)!;
    expect(entries).toHaveLength(3);
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual(["expires_at", "sealed"]);
      expect("sealed" in entry && entry.sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\./);
    }
    for (const marker of markers(secrets)) expect(server.logs.join("")).not.toContain(marker);
  });

  it("seals plain secrets written by the old version at start, and still signs with them", async () => {
    const database = await freshDatabase(kind);
    const hook = await receiver();
    const clock = new FakeClock();
    const first = await startOn(database, { workers: false, secretKeys: K1 }, { clock });
    const { subscription } = await first.client.subscribe({ customerId: "cus_old", endpointUrl: hook.url });
    await first.stop();
    // What the previous version stored: the secret in plain text.
    const plain = "whsec_" + Buffer.alloc(32, 7).toString("base64");
    const ids = [subscription!.id, "sub_plain_2", "sub_plain_3"];
    await withStore(database, async (store) => {
      await sql`UPDATE subscriptions SET secrets = ${JSON.stringify([{ secret: plain, expires_at: null }])}::jsonb WHERE id = ${ids[0]}`.execute(store.db);
      for (const id of ids.slice(1)) {
        await sql`INSERT INTO subscriptions (id, customer_id, endpoint_url, event_types, enabled, description, signature_scheme, secrets, disabled_reason, created_at, updated_at)
          SELECT ${id}, customer_id, endpoint_url, event_types, enabled, description, signature_scheme,
                 ${JSON.stringify([{ secret: plain, expires_at: null }])}::jsonb, disabled_reason, created_at, updated_at
          FROM subscriptions WHERE id = ${ids[0]}`.execute(store.db);
      }
    });
    // Control for the file scan of the first test: a plain secret is found in the data folder.
    if (kind === "pglite") expect(filesUnder(database.dataDir).some((file) => readFileSync(file).includes(Buffer.from(plain)))).toBe(true);
    const second = await startOn(database, { workers: true, secretKeys: K1 }, { clock });
    expect(second.logs.some((line) => line.includes("plain-text signing secrets sealed") && line.includes('"secrets":3'))).toBe(true);
    await second.client.emit({ type: "lead.created", customerId: "cus_old", data: {} });
    const requests = await hook.waitFor(3);
    for (const request of requests) {
      const header = String(request.headers["dealix-signature"]);
      expect(verifySignature({ payload: request.body, header, secrets: [plain], now: Math.floor(clock.nowMs() / 1000) }).ok).toBe(true);
    }
    await second.stop();
    const stored = await storedSecrets(database);
    for (const id of ids) expect(stored.get(id)).toEqual([{ sealed: expect.stringMatching(/^v1\.k1\./), expires_at: null }]);
    for (const marker of markers([plain])) expect(second.logs.join("")).not.toContain(marker);
  });

  it("rekey then deliver: k2 put in front, `posthorn rekey`, k1 removed; signatures verify with the secrets from Subscribe and Rotate", async () => {
    const database = await freshDatabase(kind);
    const hook = await receiver();
    const clock = new FakeClock();
    const before = await startOn(database, { workers: false, secretKeys: K1 }, { clock });
    const a = await before.client.subscribe({ customerId: "cus_rk", endpointUrl: hook.url });
    const b = await before.client.subscribe({ customerId: "cus_rk", endpointUrl: hook.url });
    const rotated = await before.client.rotateSubscriptionSecret({ id: b.subscription!.id, gracePeriodSeconds: 3600 });
    await before.stop();

    // Every process gets k2 in front; on PostgreSQL a server keeps running while rekey works.
    const during = await startOn(database, { workers: false, secretKeys: `${K2},${K1}` }, { clock });
    if (kind === "pglite") await during.stop(); // The embedded database has one process at a time.
    const run = await rekey(database, `${K2},${K1}`);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('Re-sealed 3 signing secrets under key "k2"; 0 were already under it.');
    const again = await rekey(database, `${K2},${K1}`);
    expect(again.stdout).toContain('Re-sealed 0 signing secrets under key "k2"; 3 were already under it.');
    for (const output of [run, again]) expect(output.stdout + output.stderr).not.toContain("whsec_");
    await during.stop();
    const stored = await storedSecrets(database);
    expect([...stored.values()].flat().map((entry) => ("sealed" in entry ? entry.sealed.split(".")[1] : "plain"))).toEqual(["k2", "k2", "k2"]);

    // k1 is gone from the configuration: a rekey that meets a key it lacks says which one.
    const missing = await rekey(database, K3);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('3 secret(s) are sealed under key "k2", which is not in POSTHORN_SECRET_KEYS');

    const after = await startOn(database, { workers: true, secretKeys: K2 }, { clock });
    await after.client.emit({ type: "lead.created", customerId: "cus_rk", data: { n: 1 } });
    const requests = await hook.waitFor(2);
    const now = Math.floor(clock.nowMs() / 1000);
    const bySecret = (secret: string) =>
      requests.filter((request) => verifySignature({ payload: request.body, header: String(request.headers["dealix-signature"]), secrets: [secret], now }).ok);
    expect(bySecret(a.secret)).toHaveLength(1);
    expect(bySecret(rotated.secret)).toHaveLength(1);
    // The rotated-out secret signs too while its grace period runs.
    expect(bySecret(b.secret)).toHaveLength(1);
    await after.stop();
    const logs = [before, during, after].flatMap((server) => server.logs).join("");
    for (const marker of markers([a.secret, b.secret, rotated.secret])) expect(logs).not.toContain(marker);
  });

  it("a secret copied to another row, or under a key not configured, is not used and burns no attempt", async () => {
    const database = await freshDatabase(kind);
    const hook = await receiver();
    const clock = new FakeClock();
    const first = await startOn(database, { workers: false, secretKeys: K1 }, { clock });
    const a = await first.client.subscribe({ customerId: "cus_a", endpointUrl: hook.url });
    const b = await first.client.subscribe({ customerId: "cus_b", endpointUrl: hook.url });
    await first.stop();
    // b's row gets a's sealed secret: it is bound to a's id, so it must not open for b.
    await withStore(database, (store) =>
      sql`UPDATE subscriptions SET secrets = (SELECT secrets FROM subscriptions WHERE id = ${a.subscription!.id}) WHERE id = ${b.subscription!.id}`.execute(store.db),
    );

    const copied = await startOn(database, { workers: true, secretKeys: K1 }, { clock });
    await copied.client.emit({ type: "lead.created", customerId: "cus_b", data: {} });
    await copied.client.emit({ type: "lead.created", customerId: "cus_a", data: {} });
    await hook.waitFor(1);
    await copied.app.engine!.idle();
    expect(hook.requests).toHaveLength(1);
    expect(verifySignature({ payload: hook.requests[0]!.body, header: String(hook.requests[0]!.headers["dealix-signature"]), secrets: [a.secret], now: Math.floor(clock.nowMs() / 1000) }).ok).toBe(true);
    const [held] = (await copied.client.listDeliveries({ customerId: "cus_b" })).deliveries;
    expect(held).toMatchObject({ attemptCount: 0, attempts: [] });
    const line = copied.logs.find((text) => text.includes(`"subscription_id":"${b.subscription!.id}"`) && text.includes('"level":50'));
    expect(line).toContain('"key_id":"k1"');
    expect(line).toContain('"failure":"failed_tag"');
    await copied.stop();

    // A process whose keys cannot open the stored secrets refuses to start, naming the key.
    await expect(startOn(database, { workers: true, secretKeys: K2 }, { clock })).rejects.toThrow(/sealed under key "k1", which POSTHORN_SECRET_KEYS does not have/);

    // A key id that no process has (a secret sealed elsewhere after this start): the delivery
    // waits, unattempted, until the key is there.
    const running = await startOn(database, { workers: true, secretKeys: K1 }, { clock });
    const renameKey = (from: string, to: string) =>
      sql`UPDATE subscriptions SET secrets = replace(secrets::text, ${`"v1.${from}.`}, ${`"v1.${to}.`})::jsonb WHERE id = ${a.subscription!.id}`.execute(running.app.store.db);
    await renameKey("k1", "k9");
    await running.client.emit({ type: "lead.created", customerId: "cus_a", data: { second: true } });
    clock.advance(UNSEALABLE_RETRY_MS + 1000);
    running.app.engine!.wake();
    await running.app.engine!.idle();
    expect(hook.requests).toHaveLength(1);
    const waiting = (await running.client.listDeliveries({ customerId: "cus_a" })).deliveries.filter((d) => d.attemptCount === 0);
    expect(waiting).toHaveLength(1);
    const unknownLine = running.logs.find((text) => text.includes(`"subscription_id":"${a.subscription!.id}"`) && text.includes('"key_id":"k9"'));
    expect(unknownLine).toContain('"failure":"unknown_key"');
    await renameKey("k9", "k1");
    await running.stop();

    const back = await startOn(database, { workers: true, secretKeys: `${K2},${K1}` }, { clock });
    clock.advance(UNSEALABLE_RETRY_MS + 1000);
    back.app.engine!.wake();
    const [, delivered] = await hook.waitFor(2);
    expect(delivered!.headers["dealix-delivery-attempt"]).toBe("1");
    expect(verifySignature({ payload: delivered!.body, header: String(delivered!.headers["dealix-signature"]), secrets: [a.secret], now: Math.floor(clock.nowMs() / 1000) }).ok).toBe(true);
    await back.stop();
    const logs = [first, copied, running, back].flatMap((server) => server.logs).join("");
    for (const marker of markers([a.secret, b.secret])) expect(logs).not.toContain(marker);
  });

  it("re-seal passes side by side (two starting processes, rekey beside rotations) lose no secret and no rotation", async () => {
    const database = await freshDatabase(kind);
    const clock = new FakeClock();
    const first = await startOn(database, { workers: false, secretKeys: K1 }, { clock });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await first.client.subscribe({ customerId: "cus_race", endpointUrl: "http://127.0.0.1:9/hook" })).subscription!.id);
    await first.stop();
    const server = await startOn(database, { workers: false, secretKeys: `${K2},${K1}` }, { clock });
    const db = server.app.store.db;
    const ring = new SecretKeyring(parseSecretKeys([K2, K1]).keys);

    // Two upgrade passes at once over plain secrets: each secret is sealed by exactly one of them.
    const plain = (i: number) => "whsec_" + Buffer.alloc(32, i).toString("base64");
    for (const [i, id] of ids.slice(0, 6).entries()) {
      await sql`UPDATE subscriptions SET secrets = ${JSON.stringify([{ secret: plain(i), expires_at: null }])}::jsonb WHERE id = ${id}`.execute(db);
    }
    const upgrades = await Promise.all([resealSecrets(db, ring, "plain"), resealSecrets(db, ring, "plain")]);
    expect(upgrades[0].resealed + upgrades[1].resealed).toBe(6);

    // Rekey passes while every subscription is rotated: the last rotation of each is what is stored.
    const last = new Map<string, string>();
    const rotateAll = async () => {
      for (let round = 0; round < 3; round++) {
        for (const id of ids) last.set(id, (await server.client.rotateSubscriptionSecret({ id, gracePeriodSeconds: 3600 })).secret);
      }
    };
    await Promise.all([rotateAll(), resealSecrets(db, ring, "all"), resealSecrets(db, ring, "all")]);
    await resealSecrets(db, ring, "all");
    const rows = await db.selectFrom("subscriptions").select(["id", "secrets"]).execute();
    for (const row of rows) {
      expect(row.secrets.map((entry) => ring.keyIdOf(entry))).toEqual(row.secrets.map(() => "k2"));
      expect(ring.openAll(row.id, row.secrets)[0]).toEqual({ secret: last.get(row.id), expires_at: null });
    }
  });
});
