import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceIdMixin } from "../../server/src/observability/logger.js";
import { captureLog } from "../helpers/capture-log.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const CALLER_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const TRACEPARENT = `00-${CALLER_TRACE_ID}-b7ad6b7169203331-01`;

// Its own file: the module cache it checks is this test process's (vitest forks one per file).
describe("tracing off (the default)", () => {
  let receiver: Receiver;
  let t: TestApp;
  const log = captureLog("info", { mixin: traceIdMixin });

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp("pglite", { workers: true }, { logger: log.logger });
    await t.client.subscribe({ customerId: "cus_1", endpointUrl: receiver.url });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it("forwards the caller's traceparent and tracestate unchanged to the receiver", async () => {
    const { event } = await t.client.emit(
      { type: "lead.created", customerId: "cus_1", data: { traced: true } },
      { metadata: { traceparent: TRACEPARENT, tracestate: "congo=t61rcWkgMzE" } },
    );
    const [request] = await receiver.waitFor(1);
    expect(request!.headers.traceparent).toBe(TRACEPARENT);
    expect(request!.headers.tracestate).toBe("congo=t61rcWkgMzE");
    await t.app.engine!.idle();
    // The attempt's log line carries the caller's trace id even so.
    expect(log.lines.find((l) => l.msg === "attempt" && l.event_id === event!.id)).toMatchObject({ trace_id: CALLER_TRACE_ID });
  });

  it("sends no trace headers for an Emit without a trace, or with a malformed traceparent", async () => {
    await t.client.emit({ type: "lead.created", customerId: "cus_1", data: { traced: false } });
    await t.client.emit({ type: "lead.created", customerId: "cus_1", data: { traced: "badly" } }, { metadata: { traceparent: `00-${"0".repeat(32)}-b7ad6b7169203331-01` } });
    const requests = await receiver.waitFor(3);
    for (const request of requests.slice(1)) {
      expect(request.headers).not.toHaveProperty("traceparent");
      expect(request.headers).not.toHaveProperty("tracestate");
    }
  });

  it("never loads the OpenTelemetry SDK or exporter", () => {
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes("/@opentelemetry/"));
    // The API and the context manager are loaded (the check sees CommonJS packages) …
    expect(loaded.some((path) => path.includes("/@opentelemetry/context-async-hooks/"))).toBe(true);
    // … the SDK is not.
    expect(loaded.filter((path) => /\/@opentelemetry\/(sdk-|exporter-|otlp-|resources\/|core\/)/.test(path))).toEqual([]);
  });
});
