import { connect as connectHttp2 } from "node:http2";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWebhookClient, type WebhookClient } from "@posthorn/sdk";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";

/**
 * `posthorn serve` as a real child process must stop within the hard bound — shutdown timeout
 * + 2 s — and exit 0 whatever its clients or its stdout do (issue 10).
 */
const SHUTDOWN_TIMEOUT_MS = 1000;
const BOUND_MS = SHUTDOWN_TIMEOUT_MS + 2000;
/** SIGTERMs in the stress test (issue 10 asks for 50); POSTHORN_TEST_SHUTDOWN_STOPS overrides. */
const STOPS = Number(process.env.POSTHORN_TEST_SHUTDOWN_STOPS ?? 50);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("posthorn serve: SIGTERM ends the process within the hard bound", () => {
  let database: TestDatabase;
  const servers: ServerProcess[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(process.env.DATABASE_URL ? "postgres" : "pglite");
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop("SIGKILL")));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(() => database?.drop());

  /** One server on the shared embedded folder (PGlite) or on DATABASE_URL, with a short shutdown timeout. */
  async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = await spawnServer({
      POSTHORN_DATA_DIR: database.dataDir,
      POSTHORN_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      POSTHORN_LOG_LEVEL: "info",
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      ...env,
    });
    servers.push(server);
    return server;
  }

  /** Sends SIGTERM and resolves with the exit code and the time it took (ms); never waits past `waitMs`. */
  async function terminate(server: ServerProcess, waitMs = BOUND_MS + 5000): Promise<{ code: number | string; ms: number }> {
    const startedAt = performance.now();
    server.child.kill("SIGTERM");
    const code = await Promise.race([server.exited, sleep(waitMs).then(() => "still running" as const)]);
    return { code, ms: Math.round(performance.now() - startedAt) };
  }

  /**
   * Clients that keep connecting, calling and disconnecting (channels closed mid-call), plus one
   * open WatchDeliveries stream, until `stop()`.
   */
  function clientStorm(address: string, clientsAtOnce = 4): { stop(): Promise<void> } {
    let running = true;
    const watcher = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address, maxRetries: 0 });
    const watch = (async () => {
      try {
        for await (const _ of watcher.watchDeliveries({ customerId: "cus_shutdown" })) void _;
      } catch {
        // The server going away ends the stream with an error: expected.
      }
    })();
    const loops = Array.from({ length: clientsAtOnce }, async (_, n) => {
      while (running) {
        const client: WebhookClient = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address, maxRetries: 0, deadlineMs: 2000 });
        const calls = [
          client.listEventTypes({}),
          client.emit({ type: "lead.created", customerId: "cus_shutdown", data: { n } }),
          client.listDeliveries({ customerId: "cus_shutdown", pageSize: 5 }),
        ].map((call) => call.catch(() => undefined));
        // Close the channel while the calls are (sometimes) still in flight.
        await sleep(Math.random() * 15);
        client.close();
        await Promise.all(calls);
      }
    });
    // Raw HTTP/2 connections that start a call and vanish (GOAWAY or a TCP reset) every few
    // milliseconds: a session the client drops while the server closes it is what once kept
    // grpc-js's tryShutdown from ever calling back.
    const churn = Array.from({ length: 3 }, async (_, n) => {
      while (running) {
        const session = connectHttp2(`http://${address}`);
        session.on("error", () => {});
        const call = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers" });
        call.on("error", () => {});
        call.end(Buffer.alloc(5)); // an empty HealthCheckRequest, length-prefixed
        await sleep(Math.random() * 4);
        const socket = session.socket as unknown as { resetAndDestroy(): void } | undefined; // undefined once the session ended
        if (n % 2 === 0 || socket === undefined) session.destroy();
        else socket.resetAndDestroy();
      }
    });
    return {
      async stop() {
        running = false;
        watcher.close();
        await Promise.all([...loops, ...churn, watch]);
      },
    };
  }

  it(`${STOPS} SIGTERMs during client connects, disconnects and an open watch: each exits 0 within ${BOUND_MS} ms`, { timeout: STOPS * 15_000 }, async () => {
    const results: { code: number | string; ms: number }[] = [];
    for (let i = 0; i < STOPS; i++) {
      const server = await start();
      const storm = clientStorm(server.address);
      await sleep(100 + Math.random() * 300);
      const result = await terminate(server);
      await storm.stop();
      results.push(result);
      if (result.code === "still running") {
        throw new Error(`stop ${i + 1}: still running ${result.ms} ms after SIGTERM; last lines:\n${server.lines.slice(-5).join("\n")}`);
      }
      servers.splice(servers.indexOf(server), 1);
    }
    const slowest = Math.max(...results.map((r) => r.ms));
    process.stderr.write(`shutdown stress: ${STOPS} stops, slowest ${slowest} ms, median ${results.map((r) => r.ms).sort((a, b) => a - b)[STOPS >> 1]} ms\n`);
    expect(results.filter((r) => r.code !== 0)).toEqual([]);
    expect(slowest).toBeLessThan(BOUND_MS);
  });

  /**
   * Starts a server that logs one "attempt" line per delivery to a receiver, keeps emitting,
   * applies `spoil` to the child's stdout, lets the server log into it for a while, then sends
   * SIGTERM: the process must exit 0 within the bound.
   */
  async function stopWhileLoggingInto(spoil: (stdout: NodeJS.ReadableStream & { destroy(): void }) => void): Promise<void> {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const server = await start();
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: server.address, maxRetries: 0 });
    let emitting = true;
    const emitter = (async () => {
      while (emitting) {
        await client
          .emitBatch({ events: Array.from({ length: 50 }, (_, n) => ({ type: "lead.created", customerId: "cus_stdout", data: { n } })) })
          .catch(() => sleep(20));
      }
    })();
    try {
      await client.subscribe({ customerId: "cus_stdout", endpointUrl: receiver.url });
      await receiver.waitFor(20);
      spoil(server.child.stdout!);
      // The server keeps logging into the spoiled pipe: 400 "attempt" lines (over 100 KB) are more
      // than a pipe holds (64 KiB), so a writer that waits for the pipe would be stuck by now.
      await receiver.waitFor(receiver.requests.length + 400, 60_000);
      const result = await terminate(server);
      expect(result).toEqual({ code: 0, ms: result.ms });
      expect(result.ms).toBeLessThan(BOUND_MS);
    } finally {
      emitting = false;
      client.close();
      await emitter;
    }
  }

  /** A server with one attempt in flight to a receiver that never answers (the stop has something to wait for). */
  async function busyServer(env: Record<string, string> = {}): Promise<ServerProcess> {
    const receiver = await startReceiver(() => {});
    receivers.push(receiver);
    const server = await start(env);
    const client = createWebhookClient({ metadata: bearer(TEST_ADMIN_KEY), address: server.address, maxRetries: 0 });
    try {
      await client.subscribe({ customerId: "cus_signals", endpointUrl: receiver.url });
      await client.emit({ type: "lead.created", customerId: "cus_signals", data: {} });
      await receiver.waitFor(1);
    } finally {
      client.close();
    }
    return server;
  }

  it("one signal delivered twice (Ctrl-C on npm start, a SIGTERM to the process group) is one graceful stop", async () => {
    const server = await busyServer();
    server.child.kill("SIGINT");
    await sleep(20);
    server.child.kill("SIGINT");
    const code = await Promise.race([server.exited, sleep(BOUND_MS + 5000).then(() => "still running")]);
    expect(code).toBe(0);
    await sleep(200); // the last stdout lines
    expect(server.lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    expect(server.lines.some((line) => line.includes('"error_kind":"shutdown"'))).toBe(true);
  });

  it("a second signal a while after the first exits at once", async () => {
    const server = await busyServer({ POSTHORN_SHUTDOWN_TIMEOUT_MS: "10000" });
    server.child.kill("SIGTERM");
    await sleep(1500);
    const startedAt = performance.now();
    server.child.kill("SIGTERM");
    const code = await Promise.race([server.exited, sleep(BOUND_MS).then(() => "still running")]);
    expect(code).toBe(1);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it("SIGTERM after the parent closed the stdout pipe (EPIPE) while the server logs: exits 0 within the bound", { timeout: 120_000 }, async () => {
    await stopWhileLoggingInto((stdout) => stdout.destroy());
  });

  it("SIGTERM while nobody reads the stdout pipe (full, EAGAIN) and the server logs: exits 0 within the bound", { timeout: 120_000 }, async () => {
    await stopWhileLoggingInto((stdout) => {
      stdout.removeAllListeners("data");
      stdout.pause();
    });
  });
});
