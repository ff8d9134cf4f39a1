import { startApp } from "../app.js";
import type { Config } from "../config/config.js";
import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import { ENV_NAMES } from "../config/setting-names.js";
import { maskSecrets } from "../config/show-value.js";
import { createLogger, releaseLogOutput, type Logger } from "../observability/logger.js";
import { DatabasePermissionError } from "../store/migrate.js";
import { CONFIG_HELP } from "./cli-support.js";

/** Time after the first signal within which the process has ended, beyond the shutdown timeout (ms). */
const HARD_BOUND_EXTRA_MS = 2000;
/** How long the last log lines may take to reach stdout before exiting (ms). */
const LOG_RELEASE_MS = 500;
/** A signal this soon after the first one is a duplicate delivery of it, not a second request (ms). */
const REPEAT_SIGNAL_MS = 1000;

/**
 * `posthorn serve`: runs the server with the configuration from the environment until SIGTERM
 * or SIGINT (SIGHUP, with TLS on, reads the certificate files again), then shuts down gracefully (stop taking calls, let in-flight attempts finish or
 * release them) and exits 0. A bad setting, an unknown `POSTHORN_*` variable or config-file key
 * exits 2 before anything is opened or created, and so do unreadable or invalid TLS files; so does a database role that may not create
 * Posthorn's tables (the message names the GRANT). Another start failure (database unreachable,
 * port in use) exits 1 with a message naming the setting to change. A second signal during
 * shutdown exits 1 at once.
 *
 * Hard bound: the process ends at most `POSTHORN_SHUTDOWN_TIMEOUT_MS` + 2 s after the first
 * signal, whatever clients, the database or stdout do (issue 10); when the graceful stop has not
 * finished by then, it logs one line (best effort) and exits 0 — the leases it still holds run
 * out and any process retries those deliveries.
 */
export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`posthorn: ${error.message}\n${CONFIG_HELP}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // A stdout whose reader is gone (the parent died) must not crash the process with an unhandled
  // EPIPE; the logger stops writing on its own (see logger.ts).
  process.stdout.on("error", () => {});
  let app;
  try {
    app = await startApp(config, { logger });
  } catch (error) {
    if (error instanceof ConfigError) {
      // Found on opening a file the configuration names (the TLS certificates, the signing-secret keys): as a bad setting.
      await releaseLogOutput(logger, LOG_RELEASE_MS);
      process.stderr.write(`posthorn: ${error.message}\n${CONFIG_HELP}\n`);
      process.exitCode = 2;
      return;
    }
    logger.fatal({ err: error }, "start failed");
    await releaseLogOutput(logger, LOG_RELEASE_MS);
    if (error instanceof DatabasePermissionError) {
      process.stderr.write(`posthorn: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const hint = explainStartFailure(error, config);
    if (hint !== undefined) process.stderr.write(`posthorn: ${hint}\n`);
    process.exitCode = 1;
    return;
  }
  let stoppingSinceMs: number | undefined;
  const shutdown = (signal: string) => {
    // A second signal while stopping (an impatient Ctrl-C, a supervisor's repeat) exits at once;
    // leases of attempts still in flight run out and other processes retry them. Nothing can
    // delay it: no log write is synchronous, not even at exit (logger.ts). A repeat within
    // REPEAT_SIGNAL_MS is the same stop, not a second request: Ctrl-C on `npm start` reaches
    // node twice (from the terminal and forwarded by npm), and so does a process manager's
    // SIGTERM to the whole group (systemd's KillMode=control-group).
    if (stoppingSinceMs !== undefined) {
      if (Date.now() - stoppingSinceMs < REPEAT_SIGNAL_MS) return;
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stoppingSinceMs = Date.now();
    const boundMs = config.shutdownTimeoutMs + HARD_BOUND_EXTRA_MS;
    setTimeout(() => {
      logger.warn({ bound_ms: boundMs }, "shutdown did not finish within the bound; exiting");
      process.exit(0);
    }, boundMs).unref();
    logger.info({ signal }, "shutting down");
    app.stop().then(
      () => exitAfterLogs(logger, 0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        exitAfterLogs(logger, 1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // SIGHUP reloads the TLS files (as nginx and envoy do). Without TLS it keeps its default
  // meaning (the process ends), so closing the terminal of a foreground server still stops it.
  if (app.tls !== "off") process.on("SIGHUP", () => app.reloadTls());
}

/** Exits once the last log lines are written or `LOG_RELEASE_MS` has passed. */
function exitAfterLogs(logger: Logger, code: number): void {
  void releaseLogOutput(logger, LOG_RELEASE_MS).finally(() => process.exit(code));
}

/** A sentence naming the setting behind a start failure and what to do, when we recognise it. */
function explainStartFailure(error: unknown, config: Config): string | undefined {
  const { code, message } = error as { code?: string; message?: string };
  const text = `${code ?? ""} ${message ?? ""}`;
  if (config.databaseUrl !== undefined && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|password|does not exist|28P01|3D000/.test(text)) {
    return (
      `cannot use the database at ${ENV_NAMES.databaseUrl}=${maskSecrets(config.databaseUrl)}: ${message}. ` +
      `Check that PostgreSQL is running and the URL (host, port, user, database) is right, or unset ${ENV_NAMES.databaseUrl} ` +
      `to use the embedded database in ${ENV_NAMES.dataDir} (${config.dataDir}).`
    );
  }
  if (/EADDRINUSE|No address added/.test(text)) {
    const metricsPort = config.metricsAddress.split(":").pop();
    const isMetrics = /EADDRINUSE/.test(text) && metricsPort !== undefined && text.includes(`:${metricsPort}`) && config.metricsAddress !== config.listenAddress;
    const [name, value] = isMetrics ? [ENV_NAMES.metricsAddress, config.metricsAddress] : [ENV_NAMES.listenAddress, config.listenAddress];
    return `${name}=${value} is already in use (another Posthorn?). Stop the other process or set ${name} to a free port (port 0 picks one).`;
  }
  if (/is in use by process \d+/.test(text)) return message;
  if (/EACCES|EROFS|ENOSPC/.test(text) && config.databaseUrl === undefined) {
    return `cannot use the embedded database folder ${ENV_NAMES.dataDir}=${config.dataDir}: ${message}. Choose a writable folder.`;
  }
  return undefined;
}
