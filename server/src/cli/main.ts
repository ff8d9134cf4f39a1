#!/usr/bin/env node
import { Command } from "commander";
import { serve } from "./serve-command.js";
import { registerClientCommands } from "./client-commands.js";

/** `posthorn`: the server and a command-line client of its API. */
const program = new Command()
  .name("posthorn")
  .description("Posthorn, an outbound webhook dispatcher: run the server, or call its API.")
  .showHelpAfterError();

program
  .command("serve")
  .description("run the server (gRPC API + delivery workers); configured by POSTHORN_* variables and DATABASE_URL")
  .action(serve);

registerClientCommands(program);

await program.parseAsync();
