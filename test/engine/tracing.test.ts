import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceIdMixin } from "../../server/src/observability/logger.js";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// The caller's trace: what a traced client sends as gRPC metadata (W3C Trace Context).
const CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID = "00f067aa0ba902b7";
const TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;

const SPAN_KIND = { internal: 1, server: 2, client: 3 };

describe.each(STORES)("tracing on: one Emit's spans over OTLP and its trace at the receiver (%s)", (kind) => {
  let otlp: OtlpReceiver;
  let receiver: Receiver;
  let t: TestApp;
  const log = captureLog("info", { mixin: traceIdMixin });
  let delivered: Receiver["requests"];
  let spans: ReceivedSpan[];
  let eventId: string;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    // The first attempt (handed to the workers at emit) fails; the retry is claimed.
    receiver = await startReceiver((_r, index, response) => void response.writeHead(index === 1 ? 503 : 200).end());
    // The exporter reads the standard variable itself (OpenTelemetry SDK configuration).
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = otlp.url;
    t = await startTestApp(kind, { workers: true, tracing: "otlp" }, { logger: log.logger });
    await t.client.subscribe({ customerId: "cus_1", endpointUrl: `${receiver.url}?token=not-for-traces` });
    const { event } = await t.client.emit(
      { type: "lead.created", customerId: "cus_1", data: { lead: 1 } },
      { metadata: { traceparent: TRACEPARENT, tracestate: "vendor=abc" } },
    );
    eventId = event!.id;
    await receiver.waitFor(1);
    await t.app.engine!.idle();
    t.clock.advance(3_600_000);
    t.app.engine!.wake();
    delivered = await receiver.waitFor(2);
    await t.app.engine!.idle();
    // A stream refused for a bad filter: its span ends with the code it ended with.
    const watch = async () => {
      for await (const _update of t.client.watchDeliveries({ subscriptionId: "not-an-id" })) void _update;
    };
    await expect(watch()).rejects.toThrow(/subscription_id/);
    // Stopping flushes the batch span processor: every span is at the OTLP receiver after this.
    await t.close();
    spans = otlp.spans;
  });
  afterAll(async () => {
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    await receiver.close();
    await otlp.close();
  });

  const only = (predicate: (span: ReceivedSpan) => boolean) => {
    const found = spans.filter(predicate);
    expect(found, JSON.stringify(spans.map((s) => s.name))).toHaveLength(1);
    return found[0]!;
  };

  it("loads the SDK", () => {
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.some((path) => path.includes("/@opentelemetry/sdk-trace-base/"))).toBe(true);
  });

  it("exports the Emit's SERVER span as a child of the caller's span", () => {
    const emit = only((s) => s.name === "posthorn.v1.WebhookService/Emit");
    expect(emit).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: CALLER_SPAN_ID, kind: SPAN_KIND.server, statusCode: 0, serviceName: "posthorn" });
    expect(emit.attributes).toMatchObject({ "rpc.system.name": "grpc", "rpc.method": "posthorn.v1.WebhookService/Emit", "rpc.status_code": "OK" });
    // A call without a traceparent starts a trace of its own.
    const subscribe = only((s) => s.name === "posthorn.v1.WebhookService/Subscribe");
    expect(subscribe.traceId).not.toBe(CALLER_TRACE_ID);
    expect(subscribe.parentSpanId).toBe("");
  });

  it("exports a server stream's span with the code the stream ended with", () => {
    const watch = only((s) => s.name === "posthorn.v1.WebhookService/WatchDeliveries");
    expect(watch).toMatchObject({ kind: SPAN_KIND.server, statusCode: 0 });
    expect(watch.attributes["rpc.status_code"]).toBe("INVALID_ARGUMENT");
  });

  const attemptSpan = (number: number) => only((s) => s.kind === SPAN_KIND.client && s.attributes["posthorn.attempt.number"] === number);

  it("exports each attempt's CLIENT span in the Emit's trace; the claimed retry's links to the claim's span", () => {
    const emit = only((s) => s.name === "posthorn.v1.WebhookService/Emit");
    // The first attempt was handed to the workers in the Emit's transaction: no claim.
    const first = attemptSpan(1);
    expect(first).toMatchObject({ name: "POST", traceId: CALLER_TRACE_ID, parentSpanId: emit.spanId });
    expect(first.attributes).toMatchObject({ "http.response.status_code": 503, "posthorn.attempt.outcome": "retry" });
    expect(first.links).toEqual([]);
    const claim = only((s) => s.name === "claim deliveries");
    expect(claim.attributes["posthorn.claim.count"]).toBe(1);
    expect(claim.traceId).not.toBe(CALLER_TRACE_ID);
    const attempt = attemptSpan(2);
    expect(attempt).toMatchObject({ name: "POST", traceId: CALLER_TRACE_ID, parentSpanId: emit.spanId, statusCode: 0 });
    expect(attempt.links).toEqual([{ traceId: claim.traceId, spanId: claim.spanId }]);
    expect(attempt.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.response.status_code": 200,
      "http.request.resend_count": 1,
      "posthorn.event.id": eventId,
      "posthorn.attempt.number": 2,
      "posthorn.attempt.outcome": "succeeded",
      "server.address": "127.0.0.1",
    });
    expect(String(attempt.attributes["posthorn.delivery.id"])).toMatch(/^dlv_/);
    // The endpoint's path and query (here a token) never leave in a span.
    expect(attempt.attributes["url.full"]).toBe(`${new URL(receiver.url).origin}/REDACTED`);
  });

  it("sends the receiver a traceparent in the caller's trace whose parent is the attempt's span, and the tracestate", () => {
    for (const number of [1, 2]) {
      expect(delivered[number - 1]!.headers.traceparent).toBe(`00-${CALLER_TRACE_ID}-${attemptSpan(number).spanId}-01`);
      expect(delivered[number - 1]!.headers.tracestate).toBe("vendor=abc");
    }
  });

  it("writes the attempt's log line with the trace and span ids of its span", () => {
    const attempt = attemptSpan(1);
    const line = log.lines.find((l) => l.msg === "attempt");
    expect(line).toMatchObject({ trace_id: CALLER_TRACE_ID, span_id: attempt.spanId, event_id: eventId });
    // Outside any span, no ids.
    expect(log.lines.find((l) => l.msg === "listening")).not.toHaveProperty("trace_id");
  });
});
