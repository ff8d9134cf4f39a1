import { Option, type Command } from "commander";
import { createWebhookClient, PosthornError, status, type WebhookClient } from "@posthorn/sdk";
import { unknownVariableProblems } from "../config/config.js";
import { apiKeyFor } from "./api-key-source.js";

/**
 * What every client command shares: the `--address` option, one SDK client per run, and one
 * way to fail. Exit codes: 0 success, 1 the server refused or could not be reached (the gRPC
 * code and message are printed), 2 bad command-line input (the message says what to fix).
 */

/** Default server address when neither `--address` nor `POSTHORN_ADDRESS` is given. */
export const DEFAULT_ADDRESS = "127.0.0.1:50051";

/** Bad command-line input: exit code 2 with a message that says what to fix. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The line after a configuration error. */
export const CONFIG_HELP = 'See "Configuration" in README.md for every setting and its default.';

/**
 * Exits 2 when the environment has a `POSTHORN_*` variable that no part of Posthorn reads (a
 * typo, ADRESS for ADDRESS), naming the closest known one. Client commands accept the
 * server's settings and the server accepts POSTHORN_ADDRESS: one shell serves both (see
 * config/posthorn-variables.ts).
 */
export function refuseUnknownVariables(env: NodeJS.ProcessEnv = process.env): void {
  const problems = unknownVariableProblems(env);
  if (problems.length > 0) {
    fail(new UsageError(`unknown environment variable:\n${problems.map((line) => `  ${line}`).join("\n")}\n${CONFIG_HELP}`));
  }
}

/** Adds `--address <host:port>` (default `POSTHORN_ADDRESS`, else 127.0.0.1:50051). */
export function addAddressOption(command: Command): Command {
  return command.addOption(
    new Option("--address <host:port>", "Posthorn gRPC address").env("POSTHORN_ADDRESS").default(DEFAULT_ADDRESS),
  );
}

/** Adds `--json` (machine-readable output: proto3 JSON, one document). */
export function addJsonOption(command: Command): Command {
  return command.option("--json", "print JSON (proto3 JSON mapping) instead of a table, for scripts");
}

/** Opens a client on `address`, runs `fn`, closes the client; any failure ends the process (see `fail`). */
export async function withClient(address: string, fn: (client: WebhookClient) => Promise<void>): Promise<void> {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address)) {
    fail(new UsageError(`--address: expected host:port (e.g. ${DEFAULT_ADDRESS}), got "${address}"`));
  }
  const apiKey = apiKeyFor(address, process.env.POSTHORN_API_KEY);
  const client = createWebhookClient({
    address,
    deadlineMs: 30_000,
    ...(apiKey === undefined ? {} : { metadata: { authorization: `Bearer ${apiKey}` } }),
  });
  try {
    await fn(client);
  } catch (error) {
    fail(error, address);
  } finally {
    client.close();
  }
}

/** Prints why the command failed and exits: 2 for usage errors, 1 for everything else. */
export function fail(error: unknown, address?: string): never {
  if (error instanceof UsageError) {
    process.stderr.write(`posthorn: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof PosthornError) {
    process.stderr.write(`posthorn: ${error.codeName} (${error.code}): ${error.details}\n`);
    if (error.code === status.UNAVAILABLE && address !== undefined) {
      process.stderr.write(
        `Is the server running at ${address}? Start it with \`npm start\`, or point --address (or POSTHORN_ADDRESS) at it.\n`,
      );
    }
    process.exit(1);
  }
  process.stderr.write(`posthorn: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

/** Writes one line to stdout. */
export function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}
