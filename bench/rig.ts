/**
 * One scenario's setup: a fresh store, the receivers process, `posthorn serve`, and the
 * subscriptions, created through the SDK like any caller would.
 *
 * Layouts: `per-customer` gives each of the N customers one subscription to its own endpoint
 * (an event makes one delivery, so events/s = deliveries/s); `fanout` gives one customer N
 * subscriptions (an event makes N deliveries).
 */
import { join } from "node:path";
import { createWebhookClient } from "@posthorn/sdk";
import { benchAuthMetadata, Receivers, startServer, type ServerHandle } from "./processes.js";
import { freshStore, type FreshStore, type StoreKind } from "./stores.js";

export interface RigOptions {
  store: StoreKind;
  adminUrl: string | undefined;
  label: string;
  /** Folder for server logs and CPU profiles. */
  outDir: string;
  endpoints: number;
  /** Endpoint indexes that never answer. */
  hang?: number[];
  layout: "per-customer" | "fanout";
  workers?: boolean;
  logLevel?: "info" | "warn";
  cpuProfDir?: string;
  /** Receivers check every signature (default true). */
  verify?: boolean;
  /** Extra server settings (experiments: `--server-env=POSTHORN_MAX_CONCURRENCY=256`). */
  serverEnv?: Record<string, string>;
}

export interface Rig {
  server: ServerHandle;
  receivers: Receivers;
  /** Customers in emit order; with `per-customer`, customer i's endpoint is endpoint i. */
  customers: string[];
  /** The settings that select the store (`DATABASE_URL` on PostgreSQL), for scenarios that load it directly. */
  storeEnv: Record<string, string>;
  /** Stops the server and starts it again on the same store (e.g. with workers on). */
  restart(changes: { workers?: boolean; logLevel?: "info" | "warn"; cpuProfDir?: string }): Promise<ServerHandle>;
  close(): Promise<void>;
}

export async function setupRig(options: RigOptions): Promise<Rig> {
  const store: FreshStore = await freshStore(options.store, options.adminUrl);
  const receivers = new Receivers();
  let server: ServerHandle | undefined;
  let starts = 0;
  const launch = (workers: boolean, logLevel: "info" | "warn", cpuProfDir: string | undefined) =>
    startServer({
      env: { ...options.serverEnv, ...store.env, POSTHORN_WORKERS: String(workers) },
      logLevel,
      logFile: join(options.outDir, `${options.label}-${options.store}-${starts++}.log`),
      ...(cpuProfDir ? { cpuProfDir } : {}),
    });
  try {
    const ports = await receivers.start(options.endpoints, options.hang ?? []);
    server = await launch(options.workers ?? true, options.logLevel ?? "info", options.cpuProfDir);
    const client = createWebhookClient({ address: server.address, metadata: benchAuthMetadata() });
    const customers = options.layout === "per-customer" ? ports.map((_, i) => `cus_bench_${i}`) : ["cus_bench_0"];
    const secrets: string[] = [];
    for (const [i, port] of ports.entries()) {
      const customerId = options.layout === "per-customer" ? customers[i]! : customers[0]!;
      const { secret } = await client.subscribe({ customerId, endpointUrl: `http://127.0.0.1:${port}/hooks/${i}` });
      secrets.push(secret);
    }
    client.close();
    if (options.verify ?? true) await receivers.setSecrets(secrets);
    const rig: Rig = {
      server,
      receivers,
      customers,
      storeEnv: store.env,
      async restart(changes) {
        await rig.server.stop();
        rig.server = await launch(changes.workers ?? true, changes.logLevel ?? "info", changes.cpuProfDir);
        return rig.server;
      },
      async close() {
        await rig.server.stop();
        receivers.stop();
        await store.drop();
      },
    };
    return rig;
  } catch (error) {
    await server?.stop();
    receivers.stop();
    await store.drop().catch(() => {});
    throw error;
  }
}
