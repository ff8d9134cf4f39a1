import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookClient, status, type WebhookClient } from "@posthorn/sdk";
import { WebhookService } from "@posthorn/proto";
import { DEFAULT_EVENT_TYPES } from "../../server/src/domain/event-catalog.js";
import { expectError } from "./expect-error.js";
import { bearer, TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { STORES } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { captureLog } from "../helpers/capture-log.js";

/** Go's names of the 17 gRPC codes (go-grpc-prometheus's `grpc_code` values), written out. */
const CODES = "OK Canceled Unknown InvalidArgument DeadlineExceeded NotFound AlreadyExists PermissionDenied ResourceExhausted FailedPrecondition Aborted OutOfRange Unimplemented Internal Unavailable DataLoss Unauthenticated".split(" ");

/** The value of the sample `name{labels}` (labels in the order prom-client writes them), or undefined. */
function sample(text: string, name: string, labels = ""): number | undefined {
  const prefix = labels === "" ? `${name} ` : `${name}{${labels}} `;
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

const rpc = (method: string, type = "unary") => `grpc_type="${type}",grpc_service="posthorn.v1.WebhookService",grpc_method="${method}"`;

describe.each(STORES)("metrics and the access log (%s)", (kind) => {
  let t: TestApp;
  const log = captureLog("debug");
  let anonymous: WebhookClient;
  const scrape = async () => (await fetch(`http://${t.app.metricsAddress}/metrics`)).text();

  beforeAll(async () => {
    t = await startTestApp(kind, { metricsAddress: "127.0.0.1:0" }, { logger: log.logger });
    anonymous = createWebhookClient({ address: t.app.address!, maxRetries: 0 });
  });
  afterAll(async () => {
    anonymous?.close();
    await t?.close();
  });

  it("every series is there at 0 before any traffic, under conventional names", async () => {
    const text = await scrape();
    // Node's process metrics without our prefix (prom-client's names), and no double prefix.
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toContain("posthorn_process_");
    for (const method of WebhookService.methods) {
      const labels = rpc(method.name, method.methodKind === "unary" ? "unary" : "server_stream");
      expect(sample(text, "grpc_server_started_total", labels), method.name).toBe(0);
      expect(sample(text, "grpc_server_handling_seconds_count", labels), method.name).toBe(0);
      for (const code of CODES) expect(sample(text, "grpc_server_handled_total", `${labels},grpc_code="${code}"`), `${method.name} ${code}`).toBe(0);
    }
    for (const type of DEFAULT_EVENT_TYPES) expect(sample(text, "posthorn_events_emitted_total", `type="${type}"`)).toBe(0);
    for (const outcome of ["succeeded", "retry", "failed"]) {
      expect(sample(text, "posthorn_attempts_total", `outcome="${outcome}"`)).toBe(0);
      expect(sample(text, "posthorn_attempt_duration_seconds_count", `outcome="${outcome}"`)).toBe(0);
    }
    for (const kind of ["timeout", "connection_refused", "dns", "tls", "connection_reset", "blocked_address", "other", "shutdown", "abandoned"]) {
      expect(sample(text, "posthorn_attempt_errors_total", `error_kind="${kind}"`)).toBe(0);
    }
    for (const reason of ["missing", "malformed", "unknown", "revoked", "expired"]) expect(sample(text, "posthorn_auth_failures_total", `reason="${reason}"`)).toBe(0);
    for (const method of ["Emit", "EmitBatch"]) expect(sample(text, "posthorn_emit_duration_seconds_count", `method="${method}"`)).toBe(0);
    expect(text).toContain('posthorn_emit_duration_seconds_bucket{le="0.001",method="Emit"} 0');
    expect(sample(text, "posthorn_retries_scheduled_total")).toBe(0);
    expect(sample(text, "posthorn_subscriptions_disabled_total")).toBe(0);
    expect(sample(text, "posthorn_deliveries_pending")).toBe(0);
    // The pool gauges exist on PostgreSQL only (PGlite has one connection, no pool).
    if (kind === "postgres") {
      expect(sample(text, "posthorn_db_pool_max_connections")).toBe(16);
      expect(sample(text, "posthorn_db_pool_connections")).toBeGreaterThan(0);
      // Present; their values move with the scrape's own query (it may wait for a connection being opened).
      expect(sample(text, "posthorn_db_pool_waiting_requests")).toEqual(expect.any(Number));
      expect(sample(text, "posthorn_db_pool_idle_connections")).toEqual(expect.any(Number));
    } else {
      expect(text).not.toContain("posthorn_db_pool_");
    }
  });

  it("counts each finished RPC by its code and logs one access line per call", async () => {
    const before = await scrape();
    const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_metrics", data: {} });
    await expectError(t.client.getEvent({ id: "nope" }), status.INVALID_ARGUMENT, "id: is not an event id");
    await expectError(anonymous.listEventTypes({}), status.UNAUTHENTICATED, "authorization: Bearer phk_");
    const after = await scrape();
    const delta = (name: string, labels: string) => sample(after, name, labels)! - sample(before, name, labels)!;
    expect(delta("grpc_server_handled_total", `${rpc("Emit")},grpc_code="OK"`)).toBe(1);
    expect(delta("grpc_server_started_total", rpc("Emit"))).toBe(1);
    expect(delta("grpc_server_handling_seconds_count", rpc("Emit"))).toBe(1);
    expect(delta("posthorn_emit_duration_seconds_count", 'method="Emit"')).toBe(1);
    expect(delta("posthorn_events_emitted_total", 'type="lead.created"')).toBe(1);
    expect(delta("grpc_server_handled_total", `${rpc("GetEvent")},grpc_code="InvalidArgument"`)).toBe(1);
    expect(delta("grpc_server_handled_total", `${rpc("GetEvent")},grpc_code="OK"`)).toBe(0);
    expect(delta("grpc_server_handled_total", `${rpc("ListEventTypes")},grpc_code="Unauthenticated"`)).toBe(1);

    const lines = log.lines.filter((l) => l.msg === "rpc");
    const emitted = lines.find((l) => l.method === "Emit");
    // debug (20) for OK; the caller's key and role; the peer; the time in ms.
    expect(emitted).toMatchObject({ level: 20, code: "OK", role: "admin", peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(emitted!.key_id).toMatch(/^key_/);
    expect(typeof emitted!.duration_ms).toBe("number");
    expect(event!.id).toMatch(/^evt_/);
    // info (30) for the caller's mistakes.
    expect(lines.find((l) => l.method === "GetEvent")).toMatchObject({ level: 30, code: "InvalidArgument", role: "admin" });
    // No key: no key_id; debug, as the authenticator logs these (rate-limited) already.
    const refused = lines.find((l) => l.method === "ListEventTypes" && l.code === "Unauthenticated");
    expect(refused).toMatchObject({ level: 20 });
    expect(refused).not.toHaveProperty("key_id");
    expect(lines.filter((l) => l.method === "Emit")).toHaveLength(1);
  });

  it("a watch ended by its client is counted as Canceled", async () => {
    const watcher = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(TEST_ADMIN_KEY) });
    const abort = new AbortController();
    const stream = watcher.watchDeliveries({}, { signal: abort.signal });
    const reading = (async () => {
      for await (const _ of stream) void _;
    })().catch(() => undefined);
    const watch = rpc("WatchDeliveries", "server_stream");
    // Started once the server saw it; then the client goes away.
    await eventually(async () => sample(await scrape(), "grpc_server_started_total", watch), (n) => n === 1);
    abort.abort();
    await reading;
    const handled = await eventually(async () => sample(await scrape(), "grpc_server_handled_total", `${watch},grpc_code="Canceled"`), (n) => n === 1);
    expect(handled).toBe(1);
    expect(log.lines.find((l) => l.msg === "rpc" && l.method === "WatchDeliveries")).toMatchObject({ level: 20, code: "Canceled", role: "admin" });
    watcher.close();
  });
});
