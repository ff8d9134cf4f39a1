import type { Command } from "commander";
import { registerAuditCommand } from "./audit-command.js";
import { registerDeliveriesCommand } from "./deliveries-command.js";
import { registerEmitCommand } from "./emit-command.js";
import { registerEventTypesCommand } from "./event-types-command.js";
import { registerEventsCommand } from "./events-command.js";
import { registerKeysCommand } from "./keys-command.js";
import { registerListenCommand } from "./listen-command.js";
import { registerMigrateCommand } from "./migrate-command.js";
import { registerRecoverCommand } from "./recover-command.js";
import { registerRetryCommand } from "./retry-command.js";
import { registerSubscribeCommand } from "./subscribe-command.js";
import { registerSubscriptionsCommand } from "./subscriptions-command.js";
import { registerWatchCommand } from "./watch-command.js";

/**
 * The subcommands besides `serve`: `migrate` works on the database directly; the others call
 * the API through the SDK (`--address`, default POSTHORN_ADDRESS, else 127.0.0.1:50051).
 */
export function registerClientCommands(program: Command): void {
  registerMigrateCommand(program);
  registerSubscribeCommand(program);
  registerSubscriptionsCommand(program);
  registerEmitCommand(program);
  registerEventsCommand(program);
  registerDeliveriesCommand(program);
  registerRetryCommand(program);
  registerRecoverCommand(program);
  registerEventTypesCommand(program);
  registerListenCommand(program);
  registerWatchCommand(program);
  registerKeysCommand(program);
  registerAuditCommand(program);
}
