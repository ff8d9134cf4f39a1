import { context, diag, DiagLogLevel, trace } from "@opentelemetry/api";
import type { Logger } from "./logger.js";

/** How spans leave the process: `off` (default) or `otlp` (OTLP/HTTP, configured by the standard `OTEL_*` variables). */
export type TracingMode = "off" | "otlp";

/** Tracing as started; `shutdown` exports what is left. */
export interface Tracing {
  mode: TracingMode;
  /**
   * Exports the spans still buffered and stops the exporter, waiting at most `boundMs`
   * milliseconds (spans not sent by then are lost). Never rejects.
   */
  shutdown(boundMs: number): Promise<void>;
}

/** Whether this process's AsyncLocalStorage context manager is registered (once per process). */
let contextManagerRegistered = false;

/**
 * Starts tracing. Spans are made through `@opentelemetry/api` only (posthornTracer, trace-context.ts),
 * which is a no-op until an SDK registers, so with `off` no SDK module is even loaded.
 *
 * Either way the AsyncLocalStorage context manager (`@opentelemetry/context-async-hooks`, a few
 * lines over Node's AsyncLocalStorage) is registered, loaded here on first use: it carries the
 * caller's `traceparent` from the RPC into the Emit handler, so it is stored and forwarded even
 * with tracing off, and log lines carry the caller's trace id.
 *
 * With `otlp`, the SDK is loaded now (dynamic import: the CLI never loads it) and registered:
 * a batch span processor and the OTLP/HTTP (JSON) exporter, which read their settings from the
 * standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`; the OpenTelemetry SDK
 * configuration spec); the resource is `service.name=posthorn` unless `OTEL_SERVICE_NAME` or
 * `OTEL_RESOURCE_ATTRIBUTES` say otherwise. Export failures are logged at `warn`.
 */
export async function startTracing(mode: TracingMode, logger: Logger): Promise<Tracing> {
  if (!contextManagerRegistered) {
    const { AsyncLocalStorageContextManager } = await import("@opentelemetry/context-async-hooks");
    contextManagerRegistered = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  if (mode === "off") return { mode, shutdown: async () => {} };

  const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { defaultResource, detectResources, envDetector, resourceFromAttributes }] =
    await Promise.all([import("@opentelemetry/sdk-trace-base"), import("@opentelemetry/exporter-trace-otlp-http"), import("@opentelemetry/resources")]);
  diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ detail: args.map(String) }, `tracing: ${message}`),
      warn: (message, ...args) => logger.warn({ detail: args.map(String) }, `tracing: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  // Later resources win: the SDK's defaults, then Posthorn's name, then the OTEL_* variables.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ "service.name": "posthorn" }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  if (!trace.setGlobalTracerProvider(provider)) logger.warn("tracing: a tracer provider was already registered in this process; keeping it");
  logger.info({ tracing: mode, endpoint: tracesEndpoint(process.env) }, "tracing on: spans are exported over OTLP/HTTP as the OTEL_* variables say");
  return {
    mode,
    async shutdown(boundMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), boundMs)));
      const done = provider.shutdown().then(
        () => "done" as const,
        (error: unknown) => {
          logger.warn({ err: error }, "tracing: could not export the last spans");
          return "done" as const;
        },
      );
      if ((await Promise.race([done, late])) === "late") logger.warn({ bound_ms: boundMs }, "tracing: the last spans were not exported in time; dropped");
      clearTimeout(timer);
      // Unregistered, so a later start in this process (tests) can register its own.
      trace.disable();
      diag.disable();
    },
  };
}

/**
 * Where the OTLP/HTTP exporter sends spans, for the start-up line, as the SDK resolves it (OTLP
 * exporter spec): `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else `OTEL_EXPORTER_OTLP_ENDPOINT`
 * + `/v1/traces`, else `http://localhost:4318/v1/traces`. User info and query are cut (they may
 * hold credentials); a value that is no URL is shown as `(invalid URL)`.
 */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const raw = traces || (base ? `${base.replace(/\/+$/, "")}/v1/traces` : "http://localhost:4318/v1/traces");
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
