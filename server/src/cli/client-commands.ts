import { Help, type Command } from "commander";

/**
 * The subcommands besides `serve`: `migrate` and `rekey` work on the database directly,
 * `secret-key` prints a new key; the others call the API through the SDK (`--address`, default
 * POSTHORN_ADDRESS, else 127.0.0.1:50051).
 *
 * Each command's module is loaded only when that command runs (or its own help is asked for):
 * they import the SDK, the generated proto code and, for some, the store, which together take
 * most of a second to load (see "What may be imported at start" in main.ts). Until then a
 * command is a stub that only lists itself in `posthorn --help`, with the `term` and `summary`
 * below. A new command: a `*-command.ts` file exporting `registerXCommand(program)`, and an
 * entry here whose `term` and `summary` are what `posthorn --help` lists for it (its usage and
 * the first sentence of its description as commander prints them: test/cli/startup.test.ts
 * compares the two and prints the entry to paste when they differ).
 */
export const CLIENT_COMMANDS: readonly ClientCommand[] = [
  {
    term: "migrate",
    summary: "apply pending database migrations (DATABASE_URL, else the embedded database) and exit",
    load: async () => (await import("./migrate-command.js")).registerMigrateCommand,
  },
  {
    term: "subscribe [options]",
    summary: "register a customer's endpoint; prints the subscription id and its signing secret",
    load: async () => (await import("./subscribe-command.js")).registerSubscribeCommand,
  },
  {
    term: "subscriptions",
    summary: "list subscriptions (the default), or show, change, delete one or rotate its secret",
    load: async () => (await import("./subscriptions-command.js")).registerSubscriptionsCommand,
  },
  {
    term: "emit [options]",
    summary: "emit one event (or --count N copies) to a customer's subscriptions",
    load: async () => (await import("./emit-command.js")).registerEmitCommand,
  },
  {
    term: "events [options]",
    summary: "list emitted events: the newest, in time order",
    load: async () => (await import("./events-command.js")).registerEventsCommand,
  },
  {
    term: "deliveries",
    summary: "list deliveries (the default), or show one with all its attempts",
    load: async () => (await import("./deliveries-command.js")).registerDeliveriesCommand,
  },
  {
    term: "retry [options] <delivery-id>",
    summary: "queue one delivery for an attempt now, whatever its state",
    load: async () => (await import("./retry-command.js")).registerRetryCommand,
  },
  {
    term: "recover [options]",
    summary: "re-queue a subscription's failed deliveries created since a time, and deliver what it missed while disabled",
    load: async () => (await import("./recover-command.js")).registerRecoverCommand,
  },
  {
    term: "event-types [options]",
    summary: "list the event types the server accepts, with their descriptions (--json: with their schemas and examples)",
    load: async () => (await import("./event-types-command.js")).registerEventTypesCommand,
  },
  {
    term: "listen [options]",
    summary: "run a local receiver that subscribes itself, verifies every request and prints it",
    load: async () => (await import("./listen-command.js")).registerListenCommand,
  },
  {
    term: "watch [options]",
    summary: "print each delivery attempt's outcome as it happens (Ctrl-C to stop)",
    load: async () => (await import("./watch-command.js")).registerWatchCommand,
  },
  {
    term: "keys",
    summary: "manage API keys: create, list, revoke (admin key needed), or generate one locally",
    load: async () => (await import("./keys-command.js")).registerKeysCommand,
  },
  {
    term: "portal [options]",
    summary: "open the customer portal for one customer: prints a URL holding a short-lived customer key (admin key needed)",
    load: async () => (await import("./portal-command.js")).registerPortalCommand,
  },
  {
    term: "audit [options]",
    summary: "list the audit log, newest first: who changed what (admin key needed)",
    load: async () => (await import("./audit-command.js")).registerAuditCommand,
  },
  {
    term: "storage [options]",
    summary: "show stored days of events, deliveries and attempts: partitions, sizes, and what the next prune drops (admin key needed)",
    load: async () => (await import("./storage-command.js")).registerStorageCommand,
  },
  {
    term: "rekey",
    summary: "re-encrypt every stored signing secret under the first key of POSTHORN_SECRET_KEYS and exit",
    load: async () => (await import("./rekey-command.js")).registerRekeyCommand,
  },
  {
    term: "secret-key",
    summary: "print a new random encryption key as a POSTHORN_SECRET_KEYS entry (id:base64); put it first to make it current",
    load: async () => (await import("./rekey-command.js")).registerSecretKeyCommand,
  },
];

/** A subcommand as `posthorn --help` lists it, and how to load its full definition. */
export interface ClientCommand {
  /** Its name, then `[options]` when it has options, then its arguments: commander's listing. */
  term: string;
  /** Its description as commander prints it (`.description()` or `.summary()`). */
  summary: string;
  /** Loads the command's module; the function registers the command on the program. */
  load(): Promise<(program: Command) => void>;
}

/**
 * Registers every command of `CLIENT_COMMANDS` on `program`, in order: those named in `load`
 * (or all, for "all") from their modules, the others as stubs that only list themselves in
 * help. `commandNameIn` says which one a command line runs.
 */
export async function registerClientCommands(program: Command, load: readonly string[] | "all"): Promise<void> {
  const stubTerms = new Map<Command, string>();
  for (const entry of CLIENT_COMMANDS) {
    const name = entry.term.split(" ")[0]!;
    if (load === "all" || load.includes(name)) {
      (await entry.load())(program);
    } else {
      stubTerms.set(program.command(name).description(entry.summary), entry.term);
    }
  }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (command) => stubTerms.get(command) ?? help.subcommandTerm(command) });
}

/**
 * The subcommand a command line (`process.argv.slice(2)`) runs or asks help for: its first word
 * that is not an option, or the one after `help`; undefined for `posthorn`, `posthorn --help`.
 * (The program's own options take no values, so no option's value can be mistaken for it.)
 */
export function commandNameIn(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}
