import pino from "pino";
import { createWebhookClient, type WebhookClient } from "@posthorn/sdk";
import { startApp, type App, type AppOptions } from "../../server/src/app.js";
import type { ConfigInput } from "../../server/src/config/config.js";
import { parseConfig } from "../../server/src/config/load-config.js";
import { createTestDatabase, type TestDatabase } from "./databases.js";
import { FakeClock } from "./fake-clock.js";
import { bearer, TEST_ADMIN_KEY, TEST_SECRET_KEYS } from "./test-keys.js";

export interface TestApp {
  app: App;
  /** A client calling with the admin key `TEST_ADMIN_KEY`. */
  client: WebhookClient;
  clock: FakeClock;
  database: TestDatabase;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/**
 * A real server on loopback (port 0) over a fresh database of `kind`, with a fake clock and an
 * SDK client. Workers are off unless `config.workers` is true; loopback receivers are allowed.
 * On PostgreSQL the signing secrets are sealed under `TEST_SECRET_KEYS` unless `config.secretKeys`
 * says otherwise; on PGlite under the key file the server makes in the data folder.
 */
export async function startTestApp(
  kind: "pglite" | "postgres",
  config: ConfigInput = {},
  options: AppOptions = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  const clock = (options.clock as FakeClock | undefined) ?? new FakeClock();
  const app = await startApp(
    parseConfig({
      listenAddress: "127.0.0.1:0",
      httpAddress: "127.0.0.1:0",
      dataDir: database.dataDir,
      databaseUrl: database.databaseUrl,
      metricsAddress: "off",
      workers: false,
      // In this process the server runs from its TypeScript sources, which a sending thread cannot
      // load: attempts go out on the main thread (spawned servers use threads: server-process.ts).
      sendThreads: 0,
      allowedCidrs: ["127.0.0.1/32"],
      pollIntervalMs: 50,
      bootstrapAdminKey: TEST_ADMIN_KEY,
      ...(kind === "postgres" ? { secretKeys: TEST_SECRET_KEYS } : {}),
      ...config,
    }),
    { logger: pino({ level: process.env.POSTHORN_TEST_LOG_LEVEL ?? "silent" }), ...options, clock },
  );
  const client = createWebhookClient({ address: app.address!, deadlineMs: 30_000, metadata: bearer(TEST_ADMIN_KEY) });
  return {
    app,
    client,
    clock,
    database,
    async close() {
      client.close();
      await app.stop();
      await database.drop();
    },
  };
}
