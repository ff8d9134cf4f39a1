#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { commandNameIn, registerClientCommands } from "./client-commands.js";

/*
 * What may be imported at start: this file and client-commands.ts are loaded on every run,
 * `posthorn --help` and `--version` included (target: under 0.5 s of CPU), so they import
 * only commander and Node's own modules. Everything else is loaded with `await import()` when
 * the command that needs it runs: each command's module (see CLIENT_COMMANDS), `serve`'s
 * server (../app.js) below, and cli-support (it loads the SDK) in the hooks and the catch.
 * The SDK, the generated proto code, PGlite, Kysely, pg, pino, prom-client and undici take most
 * of a second to load between them; test/cli/startup.test.ts fails when `--help` loads them.
 */

/*
 * A reader that stops early (`posthorn deliveries get dlv_… | head -1`) closes stdout; the next
 * write fails with EPIPE (Node ignores SIGPIPE, so it arrives as an 'error' event that would
 * otherwise end the process with a stack trace). A client command stops there, quietly, with exit
 * 0: the reader had what it wanted, and a non-zero code (141, as for a program killed by SIGPIPE)
 * would fail a `set -o pipefail` script that did nothing wrong. A command that runs until a signal
 * and cleans up on it (`listen` deletes the subscription it made) is stopped the same way as by
 * SIGTERM, so its cleanup runs. `serve` is left out: a server whose log reader went away keeps
 * delivering (its logger handles a dead stdout itself; serve-command.ts). Other stdout errors are
 * rethrown, as before.
 */
function stopOnClosedStdout(error: NodeJS.ErrnoException): void {
  if (error.code !== "EPIPE") throw error;
  if (process.listenerCount("SIGTERM") > 0) process.emit("SIGTERM");
  else process.exit(0);
}

/** The version of the server package (server/package.json; this file runs from src/cli or dist/cli). */
const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * `posthorn`: the server and a command-line client of its API. Exit codes: 0 success, 1 the
 * server refused or failed, 2 bad command-line input or configuration.
 */
const program = new Command()
  .name("posthorn")
  .description("Posthorn, an outbound webhook dispatcher: run the server, or call its API.")
  .version(VERSION, "-V, --version", "print the version of Posthorn and exit")
  .showHelpAfterError()
  // Options belong to the command they follow: `storage prune --address …` is prune's --address,
  // not its parent's (commander reads a parent's options anywhere on the line otherwise).
  .enablePositionalOptions()
  // Set before the subcommands are added so they inherit it: commander's usage errors exit 2.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  // `serve`, `migrate` and `rekey` check the environment with the rest of their configuration.
  .hook("preAction", async (_program, command) => {
    if (!["serve", "migrate", "rekey"].includes(command.name())) (await import("./cli-support.js")).refuseUnknownVariables();
  });

program
  .command("serve")
  .description("run the server (gRPC API + delivery workers); configured by POSTHORN_* variables and DATABASE_URL")
  .action(async () => (await import("./serve-command.js")).serve());

try {
  const name = commandNameIn(process.argv.slice(2));
  if (name !== "serve") process.stdout.on("error", stopOnClosedStdout);
  await registerClientCommands(program, name === undefined ? [] : [name]);
  await program.parseAsync();
} catch (error) {
  (await import("./cli-support.js")).fail(error);
}
