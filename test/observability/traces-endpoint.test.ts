import { describe, expect, it } from "vitest";
import { tracesEndpoint } from "../../server/src/observability/tracing.js";

/** The endpoint the "tracing on" line names: resolved as the OTLP exporter does, without credentials. */
describe("tracesEndpoint", () => {
  it.each([
    [{}, "http://localhost:4318/v1/traces"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }, "http://collector:4318/v1/traces"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://b/x" }, "https://b/x"],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://user:pw@b:443/v1/traces?token=t" }, "https://b/v1/traces"],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url" }, "(invalid URL)"],
  ])("%j → %s", (env, expected) => {
    expect(tracesEndpoint(env)).toBe(expected);
  });
});
