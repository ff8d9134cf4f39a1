import { startApp } from "../app.js";
import { ConfigError, loadConfig } from "../config/config.js";
import { createLogger } from "../observability/logger.js";

/**
 * `posthorn serve`: runs the server with the configuration from the environment until SIGTERM
 * or SIGINT, then shuts down gracefully (stop taking calls, let in-flight attempts finish or
 * release them) and exits 0.
 */
export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`posthorn: ${error.message}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let app;
  try {
    app = await startApp(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, "start failed");
    logger.flush?.();
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}
