#!/usr/bin/env node
import { Command } from "commander";
import { serve } from "./serve-command.js";
import { registerClientCommands } from "./client-commands.js";
import { fail, refuseUnknownVariables } from "./cli-support.js";
import { registerRekeyCommand, registerSecretKeyCommand } from "./rekey-command.js";

/**
 * `posthorn`: the server and a command-line client of its API. Exit codes: 0 success, 1 the
 * server refused or failed, 2 bad command-line input or configuration.
 */
const program = new Command()
  .name("posthorn")
  .description("Posthorn, an outbound webhook dispatcher: run the server, or call its API.")
  .showHelpAfterError()
  // Set before the subcommands are added so they inherit it: commander's usage errors exit 2.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  // `serve`, `migrate` and `rekey` check the environment with the rest of their configuration.
  .hook("preAction", (_program, command) => {
    if (!["serve", "migrate", "rekey"].includes(command.name())) refuseUnknownVariables();
  });

program
  .command("serve")
  .description("run the server (gRPC API + delivery workers); configured by POSTHORN_* variables and DATABASE_URL")
  .action(serve);

registerClientCommands(program);
registerRekeyCommand(program);
registerSecretKeyCommand(program);

try {
  await program.parseAsync();
} catch (error) {
  fail(error);
}
