import { existsSync } from "node:fs";
import { WebhookService } from "@posthorn/proto";
import { startGrpcApi, type GrpcApi } from "./api/grpc-server.js";
import { startHttpApi, type HttpApi } from "./api/http-server.js";
import { createRpcPipeline } from "./api/rpc-pipeline.js";
import { DEFAULT_WATCH_KEY_CHECK_MS } from "./api/watch-registry.js";
import { rpcMethodsOf } from "./api/rpc-observer.js";
import { createAuditLog } from "./auth/audit-log.js";
import { createAuthenticator } from "./auth/authenticator.js";
import { ensureBootstrapAdminKey } from "./auth/bootstrap.js";
import { createListenerCredentials, type ListenerCredentials, type TlsMode } from "./api/listener-credentials.js";
import { defaultPoolSize, type Config } from "./config/config.js";
import { isLoopbackAddress } from "./config/loopback.js";
import { portalBaseUrl } from "./config/public-url.js";
import { systemClock, type Clock } from "./domain/clock.js";
import { EventCatalog } from "./domain/compiled-catalog.js";
import { createAddressGuard, type AddressGuard, type Resolver } from "./delivery/address-guard.js";
import { createDeliveryEngine, type DeliveryEngine } from "./delivery/delivery-engine.js";
import { createHttpTransport } from "./delivery/http-transport.js";
import { createThreadedTransport, SEND_THREAD_ENTRY } from "./delivery/threaded-transport.js";
import type { Transport } from "./delivery/transport.js";
import { AttemptFeed } from "./feed/attempt-feed.js";
import { DueSignal } from "./feed/due-signal.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
import { startMetricsServer, type MetricsServer } from "./observability/metrics-server.js";
import { startTracing, type Tracing } from "./observability/tracing.js";
import { openStore, type Store } from "./store/database.js";
import { migrate } from "./store/migrate.js";
import { pendingBacklog } from "./store/sql/pending-backlog.js";
import { checkSealedKeyIds, loadSecretKeyring } from "./secrets/load-secret-keyring.js";
import { resealSecrets } from "./secrets/reseal-secrets.js";

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the HTTP transport (tests, other transports). */
  transport?: Transport;
  /** Name resolution for the address guard (tests inject one). */
  resolver?: Resolver;
  /** Random numbers in [0, 1) for jitter (tests inject a fixed one). */
  random?: () => number;
  /** How often (ms) open WatchDeliveries streams' keys are checked again; see `DEFAULT_WATCH_KEY_CHECK_MS`. */
  watchKeyCheckMs?: number;
}

/** A running Posthorn process. */
export interface App {
  config: Config;
  store: Store;
  /** The gRPC address (`host:port`), when the API runs in this process. */
  address: string | undefined;
  /**
   * The HTTP listener's address (`host:port`: Connect, gRPC-Web, probes, the portal page), when
   * the API runs in this process and `httpAddress` is not `off`.
   */
  httpAddress: string | undefined;
  /** How the API listener talks (`off` also when the API does not run here). */
  tls: TlsMode;
  /** Reads the TLS files again now (SIGHUP); see listener-credentials.ts. Does nothing without TLS. */
  reloadTls(): void;
  /** The delivery engine, when workers run in this process. */
  engine: DeliveryEngine | undefined;
  metrics: Metrics;
  /** The metrics address (`host:port`), when metrics are served. */
  metricsAddress: string | undefined;
  /** Graceful stop: API stops taking calls, workers finish or release in-flight work, store closes. */
  stop(): Promise<void>;
}

/**
 * Starts Posthorn as configured: opens the store (PostgreSQL with `databaseUrl`, else the
 * embedded PGlite in `dataDir`), applies migrations, then starts the API (the gRPC listener and,
 * unless `httpAddress` is `off`, the HTTP listener: Connect, probes, the portal page; one pipeline
 * behind both) and the delivery workers (each can be turned off), the metrics endpoint and tracing (`config.tracing`;
 * observability/tracing.ts). Signing secrets written in plain
 * text by an older version are sealed after the migrations.
 * @throws ConfigError (before anything is opened) when the signing-secret keys are missing (on
 *   PostgreSQL) or the embedded key file is unreadable.
 */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const { keyring, fromFile: secretKeyFile } = loadSecretKeyring(config);
  // Before anything is opened: bad certificate files are a configuration error (ConfigError).
  const listener: ListenerCredentials | undefined = config.api ? createListenerCredentials(config, logger) : undefined;
  let store: Store;
  try {
    store = await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.dbPoolSize ?? defaultPoolSize(config.maxConcurrency),
      applicationName: config.dbApplicationName,
      onError: (error) => logger.warn({ err: error }, "database connection error"),
      // One line when the database becomes unreachable, one when it is back (no line per retry).
      log: (level, message) => logger[level](message),
    });
  } catch (error) {
    listener?.close();
    throw error;
  }
  let api: GrpcApi | undefined;
  let http: HttpApi | undefined;
  let engine: DeliveryEngine | undefined;
  let metricsServer: MetricsServer | undefined;
  let tracing: Tracing | undefined;
  try {
    tracing = await startTracing(config.tracing, logger);
    const applied = await migrate(store);
    if (applied.length > 0) logger.info({ versions: applied }, "migrations applied");
    // Only where the API runs: a workers-only process has no use for a key file.
    if (config.api) await ensureBootstrapAdminKey(store, config, clock, logger);
    await checkSealedKeyIds(store.db, keyring, secretKeyFile);
    if (store.kind === "postgres" && secretKeyFile !== undefined) {
      logger.warn(
        { file: secretKeyFile },
        "signing secrets are encrypted with the key in this machine's key file; when other machines share this database, set POSTHORN_SECRET_KEYS on every process",
      );
    }
    const upgraded = await resealSecrets(store.db, keyring, "plain");
    if (upgraded.resealed > 0) logger.info({ secrets: upgraded.resealed, key_id: keyring.currentKeyId }, "plain-text signing secrets sealed");

    const guard = createAddressGuard({ allowedCidrs: config.allowedCidrs, ...(options.resolver ? { resolver: options.resolver } : {}) });
    const feed = new AttemptFeed(store, logger);
    const due = new DueSignal(store, logger);
    // The backlog gauges keep their last values while the database is unreachable.
    const metrics = createMetrics({
      backlog: () => (store.availability.up ? pendingBacklog(store.db) : Promise.resolve(undefined)),
      logger,
      eventTypes: config.eventTypes.map((entry) => entry.name),
      rpcMethods: config.api ? rpcMethodsOf(WebhookService) : [],
      pool: store.poolStats,
    });
    if (config.workers) {
      const transport = options.transport ?? deliveryTransport(config, guard, logger, options.resolver !== undefined);
      engine = createDeliveryEngine({ store, config, clock, transport, feed, due, logger, metrics, keyring, random: options.random ?? Math.random });
      await engine.start();
    }
    if (config.api) {
      const deps = {
        store,
        config,
        clock,
        catalog: EventCatalog.of(config.eventTypes),
        hostRefusal: (url: URL) => {
          const check = guard.checkUrlHost(url);
          return check.ok ? undefined : check.reason;
        },
        deliveriesDue: () => due.announce(),
        handoff: () => engine?.handoff(),
        feed,
        metrics,
        authenticator: createAuthenticator({ store, clock, logger, metrics }),
        auditLog: createAuditLog({ store, clock, logger }),
        keyring,
        // The HTTP listener's bound address (a port 0 setting becomes the real port) once it listens.
        portalBaseUrl: () => portalBaseUrl(config, http?.address),
      };
      // One pipeline (rpc-pipeline.ts) behind both listeners: the same checks, handlers and watches.
      const pipeline = createRpcPipeline(deps, logger, options.watchKeyCheckMs ?? DEFAULT_WATCH_KEY_CHECK_MS);
      api = await startGrpcApi(pipeline, deps, config.listenAddress, listener!.credentials, logger);
      if (config.httpAddress !== "off") http = await startHttpApi(pipeline, deps, config.httpAddress, listener!, logger);
    }
    if (config.metricsAddress !== "off") metricsServer = await startMetricsServer(metrics, config.metricsAddress);
    // Start and stop are announced even at `warn` (operators and scripts read the address from
    // this line); only `silent` silences them.
    const lifecycle = logger.level === "silent" ? logger : logger.child({}, { level: "info" });
    lifecycle.info(
      {
        address: api?.address,
        http: http?.address,
        tls: listener?.mode ?? "off",
        store: store.kind,
        workers: config.workers,
        metrics: metricsServer?.address,
      },
      "listening",
    );
    if (api && listener?.mode === "off" && !isLoopbackAddress(api.address)) {
      logger.warn(
        { address: api.address },
        "serving plaintext gRPC off loopback (POSTHORN_INSECURE_LISTEN): API keys cross the network in clear; use TLS unless the network is trusted",
      );
    }
    if (http && listener?.mode === "off" && !isLoopbackAddress(http.address)) {
      logger.warn(
        { address: http.address },
        "serving plaintext HTTP off loopback (POSTHORN_INSECURE_LISTEN): API keys cross the network in clear; use TLS unless the network is trusted",
      );
    }
    return {
      config,
      store,
      address: api?.address,
      httpAddress: http?.address,
      tls: listener?.mode ?? "off",
      reloadTls: () => listener?.reload("SIGHUP"),
      engine,
      metrics,
      metricsAddress: metricsServer?.address,
      async stop() {
        // Every step is bounded, so no client, endpoint, scrape or database can hold the stop:
        // the API, the workers and the metrics endpoint stop side by side (the API's grace and
        // the workers' wait are both within the shutdown timeout), then the database closes.
        const timeoutMs = config.shutdownTimeoutMs;
        const apiGraceMs = Math.min(API_GRACE_MS, timeoutMs);
        await Promise.all([
          withinMs(lifecycle, "api", apiGraceMs + STEP_MARGIN_MS, api?.shutdown(apiGraceMs)),
          withinMs(lifecycle, "http", apiGraceMs + STEP_MARGIN_MS, http?.shutdown(apiGraceMs)),
          withinMs(lifecycle, "workers", timeoutMs + WORKERS_MARGIN_MS, engine?.stop()),
          withinMs(lifecycle, "metrics", STEP_MARGIN_MS, metricsServer?.close()),
        ]);
        listener?.close();
        // The last spans (of the calls and attempts just ended) leave while the database closes.
        await Promise.all([
          withinMs(lifecycle, "database", CLOSE_DATABASE_MS, store.close()),
          tracing?.shutdown(CLOSE_DATABASE_MS),
        ]);
        lifecycle.info("stopped");
      },
    };
  } catch (error) {
    await withinMs(logger, "workers", config.shutdownTimeoutMs + STEP_MARGIN_MS, engine?.stop());
    await withinMs(logger, "api", STEP_MARGIN_MS, api?.shutdown(0));
    await withinMs(logger, "http", STEP_MARGIN_MS, http?.shutdown(0));
    listener?.close();
    await Promise.all([withinMs(logger, "database", CLOSE_DATABASE_MS, store.close()), tracing?.shutdown(CLOSE_DATABASE_MS)]);
    throw error;
  }
}

/**
 * The transport of the deliveries: on `config.sendThreads` sending threads (threaded-transport.ts),
 * or on the main thread when that is 0, when a name resolver is injected (tests: a function cannot
 * cross to a thread), or when the server runs from its TypeScript sources (tests: a thread can
 * only load the compiled send-thread.js).
 */
function deliveryTransport(config: Config, guard: AddressGuard, logger: Logger, customResolver: boolean): Transport {
  const proxy = config.egressProxy ? { proxyUrl: config.egressProxy } : {};
  if (config.sendThreads > 0 && !customResolver && existsSync(SEND_THREAD_ENTRY)) {
    return createThreadedTransport({ threads: config.sendThreads, allowedCidrs: config.allowedCidrs, ...proxy, connectionsPerOrigin: config.maxConcurrencyPerEndpoint, logger });
  }
  return createHttpTransport({ addressGuard: guard, ...proxy, connectionsPerOrigin: config.maxConcurrencyPerEndpoint });
}

/** Longest wait for gRPC calls in flight at shutdown before their connections are closed (ms). */
const API_GRACE_MS = 5000;
/** Slack given to a bounded step beyond its own bound, and the whole bound of the metrics close (ms). */
const STEP_MARGIN_MS = 500;
/** Longest wait for the database to close (ms). */
const CLOSE_DATABASE_MS = 800;
/**
 * The workers' stop beyond the shutdown timeout (ms): aborted attempts get up to 800 ms to be
 * recorded (delivery/drain-attempts.ts), plus slack. With the database close, the stop stays within the
 * hard bound of shutdown timeout + 2 s (serve-command.ts).
 */
const WORKERS_MARGIN_MS = 1100;

/**
 * Waits for one shutdown step (`undefined`: not running here) at most `boundMs` milliseconds.
 * A step that fails or is still running then is logged (`warn`) and left behind: the process is
 * about to exit. Never rejects.
 */
async function withinMs(logger: Logger, step: string, boundMs: number, running: Promise<unknown> | undefined): Promise<void> {
  if (running === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    running.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), boundMs))),
  ]);
  clearTimeout(timer);
  if (result === "late") logger.warn({ step, bound_ms: boundMs }, "shutdown step did not finish in time; going on");
  else if (!result.ok) logger.warn({ step, err: result.error }, "shutdown step failed; going on");
}
