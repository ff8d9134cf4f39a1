import type { Command } from "commander";

/** Client subcommands (subscribe, emit, deliveries, …); see the files named after each. */
export function registerClientCommands(program: Command): void {
  void program;
}
