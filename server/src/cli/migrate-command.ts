import type { Command } from "commander";
import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import { openStore } from "../store/database.js";
import { DatabasePermissionError, migrate } from "../store/migrate.js";
import { CONFIG_HELP, fail, print, UsageError } from "./cli-support.js";

/**
 * `posthorn migrate`: applies pending database migrations and exits, using the same settings as
 * `serve` (DATABASE_URL, else the embedded database in POSTHORN_DATA_DIR). `serve` migrates on
 * start too; run this first when several instances start together or the deploy wants the
 * schema change as its own step. Safe to run concurrently (advisory lock). Exit codes as for
 * `serve`: 2 for bad configuration (checked before the database is opened) or a role that may
 * not create the tables, 1 when the database cannot be used.
 */
export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("apply pending database migrations (DATABASE_URL, else the embedded database) and exit")
    .action(async () => {
      let config;
      try {
        config = loadConfig();
      } catch (error) {
        fail(error instanceof ConfigError ? new UsageError(`${error.message}\n${CONFIG_HELP}`) : error);
      }
      const target = config.databaseUrl ? "DATABASE_URL" : `POSTHORN_DATA_DIR=${config.dataDir}`;
      try {
        const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, applicationName: config.dbApplicationName, onError: () => {} }).catch((error: Error) => {
          throw new Error(`cannot open the database (${target}): ${error.message}`);
        });
        try {
          const applied = await migrate(store);
          const where = store.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `the embedded database in ${config.dataDir}`;
          print(applied.length > 0 ? `Applied migrations ${applied.join(", ")} to ${where}.` : `Nothing to do: ${where} is up to date.`);
        } finally {
          await store.close();
        }
      } catch (error) {
        fail(error instanceof DatabasePermissionError ? new UsageError(error.message) : error);
      }
    });
}
