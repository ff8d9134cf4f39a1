import { describe, expect, it } from "vitest";
import { MAX_TRACESTATE_CHARS, parseTraceparent, traceHeadersOf } from "../../server/src/observability/trace-context.js";

// Vectors from W3C Trace Context (https://www.w3.org/TR/trace-context/), §3.2 and its examples.
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

describe("traceparent (W3C Trace Context §3.2)", () => {
  it("reads a version 00 header and writes it back as it was, tracestate included", () => {
    const header = `00-${TRACE_ID}-${SPAN_ID}-01`;
    const context = parseTraceparent(header, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    expect(context).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(traceHeadersOf(context)).toEqual({ traceparent: header, tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" });
  });

  it("keeps only the sampled flag and reads a later version by its first four fields (§3.2.4)", () => {
    expect(traceHeadersOf(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`))).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
    expect(traceHeadersOf(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-09-what-the-future-holds`))).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["upper-case hex", `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ["version ff", `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ["version 00 with more fields", `00-${TRACE_ID}-${SPAN_ID}-01-extra`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN_ID}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["a short trace id", `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
  ])("refuses %s", (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
    expect(traceHeadersOf(parseTraceparent(header))).toBeUndefined();
  });

  it(`drops a tracestate longer than ${MAX_TRACESTATE_CHARS} characters instead of cutting it`, () => {
    const long = Array.from({ length: 40 }, (_, i) => `vendor${i}=${"x".repeat(10)}`).join(",");
    expect(long.length).toBeGreaterThan(MAX_TRACESTATE_CHARS);
    expect(traceHeadersOf(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-01`, long))).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
  });
});
