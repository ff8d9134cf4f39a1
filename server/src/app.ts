import { startGrpcApi, type GrpcApi } from "./api/grpc-server.js";
import { DeliveryFeed } from "./api/delivery-feed.js";
import type { Config } from "./config/config.js";
import { systemClock, type Clock } from "./domain/clock.js";
import { createAddressGuard, type Resolver } from "./delivery/address-guard.js";
import { createDeliveryEngine, type DeliveryEngine } from "./delivery/delivery-engine.js";
import { createHttpTransport } from "./delivery/http-transport.js";
import type { Transport } from "./delivery/transport.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMetrics, startMetricsServer, type Metrics, type MetricsServer } from "./observability/metrics.js";
import { openStore, type Store } from "./store/database.js";
import { migrate } from "./store/migrate.js";

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the HTTP transport (tests, other transports). */
  transport?: Transport;
  /** Name resolution for the address guard (tests inject one). */
  resolver?: Resolver;
  /** Random numbers in [0, 1) for jitter (tests inject a fixed one). */
  random?: () => number;
}

/** A running Posthorn process. */
export interface App {
  config: Config;
  store: Store;
  /** The gRPC address (`host:port`), when the API runs in this process. */
  address: string | undefined;
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
 * embedded PGlite in `dataDir`), applies migrations, then starts the gRPC API and the delivery
 * workers (each can be turned off) and the metrics endpoint.
 */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: Math.max(10, Math.min(50, Math.ceil(config.maxConcurrency / 4))),
    onError: (error) => logger.warn({ err: error }, "database connection error"),
    // One line when the database becomes unreachable, one when it is back (no line per retry).
    log: (level, message) => logger[level](message),
  });
  let api: GrpcApi | undefined;
  let engine: DeliveryEngine | undefined;
  let metricsServer: MetricsServer | undefined;
  try {
    const applied = await migrate(store);
    if (applied.length > 0) logger.info({ versions: applied }, "migrations applied");

    const guard = createAddressGuard({ allowedCidrs: config.allowedCidrs, ...(options.resolver ? { resolver: options.resolver } : {}) });
    const feed = new DeliveryFeed(store, logger);
    const metrics = createMetrics(store, logger);
    if (config.workers) {
      const transport =
        options.transport ??
        createHttpTransport({
          addressGuard: guard,
          ...(config.egressProxy ? { proxyUrl: config.egressProxy } : {}),
          connectionsPerOrigin: config.maxConcurrencyPerEndpoint,
        });
      engine = createDeliveryEngine({ store, config, clock, transport, feed, logger, metrics, random: options.random ?? Math.random });
      await engine.start();
    }
    const deliveriesDue = () => {
      engine?.wake();
      // Other processes on the same PostgreSQL (worker-only instances) hear it through NOTIFY.
      if (store.kind === "postgres") store.notifyDue().catch((error) => logger.warn({ err: error }, "NOTIFY failed"));
    };
    if (config.api) {
      api = await startGrpcApi(
        {
          store,
          config,
          clock,
          catalog: new Set(config.eventTypes),
          refuseHost: (url) => {
            const check = guard.checkUrlHost(url);
            return check.ok ? undefined : check.reason;
          },
          deliveriesDue,
          feed,
          metrics,
        },
        config.listenAddress,
        logger,
      );
    }
    if (config.metricsAddress !== "off") metricsServer = await startMetricsServer(metrics, config.metricsAddress);
    // Start and stop are announced even at `warn` (operators and scripts read the address from
    // this line); only `silent` silences them.
    const lifecycle = logger.level === "silent" ? logger : logger.child({}, { level: "info" });
    lifecycle.info(
      {
        address: api?.address,
        store: store.kind,
        workers: config.workers,
        metrics: metricsServer?.address,
      },
      "listening",
    );
    return {
      config,
      store,
      address: api?.address,
      engine,
      metrics,
      metricsAddress: metricsServer?.address,
      async stop() {
        await api?.shutdown();
        await engine?.stop();
        await metricsServer?.close();
        await store.close();
        lifecycle.info("stopped");
      },
    };
  } catch (error) {
    await engine?.stop().catch(() => {});
    await api?.shutdown().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}
