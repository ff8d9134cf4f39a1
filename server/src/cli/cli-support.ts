import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { checkApiKey, createWebhookClient, PosthornError, status, type WebhookClient, type WebhookClientOptions } from "@posthorn/sdk";
import { unknownVariableProblems } from "../config/setting-names.js";
import { DEFAULT_API_ADDRESS, HOST_PORT_PATTERN } from "../domain/host-port.js";
import { apiKeyWithSource, isLoopbackAddress } from "./api-key-source.js";
import { commandLineHint, errorText } from "./error-text.js";

/**
 * What every client command shares: the connection options (`--address`, `--api-key`, `--tls`,
 * `--tls-ca`), one SDK client per run, and one way to fail. Exit codes: 0 success, 1 the server refused or could not be reached (the gRPC
 * code and message are printed), 2 bad command-line input (the message says what to fix).
 */

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

/** The connection options as commander parses them (see `addAddressOption`). */
export interface ConnectionOptions {
  address: string;
  apiKey?: string;
  /** `--tls` true, `--no-tls` false, neither undefined (then POSTHORN_TLS, then the address decides). */
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/**
 * Adds the connection options of a client command: `--address <host:port>` (POSTHORN_ADDRESS,
 * default 127.0.0.1:50051), `--api-key <key>` (POSTHORN_API_KEY; else, on loopback, the
 * server's admin key file), `--tls` / `--no-tls` (POSTHORN_TLS; default: TLS unless the address
 * is loopback), `--tls-ca <file>` (POSTHORN_TLS_CA_FILE: PEM bundle to verify the server with;
 * implies TLS) and `--tls-cert <file>` with `--tls-key <file>` (a client certificate, for a server
 * that requires one: mTLS; implies TLS).
 */
export function addAddressOption(command: Command): Command {
  return command
    .addOption(new Option("--address <host:port>", "Posthorn gRPC address").env("POSTHORN_ADDRESS").default(DEFAULT_API_ADDRESS))
    .addOption(
      new Option("--api-key <key>", "API key to call with (default: the admin key file of a server on this machine)").env("POSTHORN_API_KEY"),
    )
    .addOption(new Option("--tls", "connect with TLS (env POSTHORN_TLS; default: on unless the address is loopback)"))
    .addOption(new Option("--no-tls", "connect in plaintext"))
    .addOption(new Option("--tls-ca <file>", "PEM CA bundle to verify the server's certificate (default: the system's roots)").env("POSTHORN_TLS_CA_FILE"))
    .addOption(new Option("--tls-cert <file>", "PEM client certificate, for a server that requires one (mTLS); with --tls-key"))
    .addOption(new Option("--tls-key <file>", "PEM private key of --tls-cert"));
}

/**
 * The SDK client options for `connection`: the key from `apiKeyFor`, TLS from `--tls`/`--no-tls`,
 * else POSTHORN_TLS, else on with `--tls-ca`, else off on loopback and on elsewhere.
 * @throws UsageError for a bad POSTHORN_TLS value, an unreadable `--tls-ca` file, or an API key
 *   with a character no key has (a line break from a file, say).
 */
export function clientOptionsFor(connection: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): WebhookClientOptions {
  const { address } = connection;
  let tls = connection.tls ?? parseTlsVariable(env.POSTHORN_TLS);
  if ((connection.tlsCert === undefined) !== (connection.tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key: give both (the client certificate and its key) or neither");
  }
  const clientCertificate = connection.tlsCert !== undefined;
  if (tls === undefined) tls = connection.tlsCa !== undefined || clientCertificate || !isLoopbackAddress(address);
  const ca = connection.tlsCa === undefined ? undefined : readPem("--tls-ca (POSTHORN_TLS_CA_FILE)", connection.tlsCa);
  const cert = connection.tlsCert === undefined ? undefined : readPem("--tls-cert", connection.tlsCert);
  const key = connection.tlsKey === undefined ? undefined : readPem("--tls-key", connection.tlsKey);
  const { key: apiKey, source } = apiKeyWithSource(address, connection.apiKey, env);
  if (typeof source === "object" && source.looseMode !== undefined) {
    const mode = source.looseMode.toString(8).padStart(4, "0");
    process.stderr.write(`posthorn: warning: ${source.file} holds an admin key and others may read it (mode ${mode}); run chmod 600 on it\n`);
  }
  if (apiKey !== undefined) {
    try {
      checkApiKey("--api-key (POSTHORN_API_KEY)", apiKey);
    } catch (error) {
      // The SDK's check names the position, never the key (grpc-js would print it whole).
      throw new UsageError((error as Error).message);
    }
  }
  return {
    address,
    deadlineMs: 30_000,
    tls: tls && (ca !== undefined || cert !== undefined) ? { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) } : tls,
    ...(apiKey === undefined ? {} : { apiKey }),
  };
}

/** The bytes of a PEM file an option names. @throws UsageError naming the option when it cannot be read. */
function readPem(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** POSTHORN_TLS as a boolean (true/false, 1/0, yes/no, on/off; unset or empty: undefined). */
function parseTlsVariable(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  const lower = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(lower)) return true;
  if (["false", "0", "no", "off"].includes(lower)) return false;
  throw new UsageError(`POSTHORN_TLS: expected true or false (or 1/0, yes/no, on/off), got ${JSON.stringify(value.slice(0, 40))}`);
}

/** Adds `--json` (machine-readable output: proto3 JSON, one document). */
export function addJsonOption(command: Command): Command {
  return command.option("--json", "print JSON (proto3 JSON mapping) instead of a table, for scripts");
}

/**
 * Opens a client for `connection` (see `clientOptionsFor`), runs `fn`, closes the client; any
 * failure ends the process (see `fail`).
 */
export async function withClient(connection: ConnectionOptions, fn: (client: WebhookClient) => Promise<void>): Promise<void> {
  const client = openClient(connection);
  try {
    await fn(client);
  } catch (error) {
    fail(error, connection);
  } finally {
    client.close();
  }
}

/** A client for `connection` (see `clientOptionsFor`); bad input ends the process with exit 2. */
export function openClient(connection: ConnectionOptions): WebhookClient {
  const { address } = connection;
  quietIpServerNameWarning();
  if (!HOST_PORT_PATTERN.test(address)) {
    fail(new UsageError(`--address: expected host:port (e.g. ${DEFAULT_API_ADDRESS}), got "${address}"`));
  }
  try {
    return createWebhookClient(clientOptionsFor(connection));
  } catch (error) {
    fail(error, connection);
  }
}

/** Prints why the command failed and exits: 2 for usage errors, 1 for everything else. */
export function fail(error: unknown, connection?: ConnectionOptions): never {
  const address = connection?.address;
  if (error instanceof UsageError) {
    process.stderr.write(`posthorn: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof PosthornError) {
    process.stderr.write(`posthorn: ${errorText(error)}\n`);
    const hint = commandLineHint(error.code, error.details);
    if (hint !== undefined) process.stderr.write(`${hint}\n`);
    if (error.code === status.UNAVAILABLE && /certificate required/i.test(error.details)) {
      process.stderr.write("The server refused the TLS handshake: it requires a client certificate (pass --tls-cert and --tls-key).\n");
    } else if (error.code === status.UNAVAILABLE && address !== undefined) {
      process.stderr.write(
        `Is the server running at ${address}? Start it with \`npm start\`, or point --address (or POSTHORN_ADDRESS) at it. ` +
          `If it speaks TLS, pass --tls (and --tls-ca <file> for a private CA); if not, --no-tls.\n`,
      );
    }
    if (error.code === status.UNAUTHENTICATED) {
      const source = connection === undefined ? "none" : apiKeyWithSource(connection.address, connection.apiKey).source;
      const from = typeof source === "object" ? `The key came from ${source.file} (no --api-key or POSTHORN_API_KEY was given). ` : "";
      process.stderr.write(`${from}Pass an API key with --api-key or set POSTHORN_API_KEY (an admin creates one with \`posthorn keys create\`).\n`);
    }
    process.exit(1);
  }
  process.stderr.write(`posthorn: ${errorText(error)}\n`);
  process.exit(1);
}

/**
 * Drops Node's DEP0123 warning ("Setting the TLS ServerName to an IP address…"): grpc-js 1.14
 * passes the target's host as the TLS server name even when it is an IP address, Node ignores
 * it there (no SNI for addresses, RFC 6066 §3) and verifies the certificate's IP SAN as it
 * should, so the line would only be noise on a command's stderr. Other warnings are untouched.
 */
function quietIpServerNameWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, second, third] = args;
    const code = typeof second === "object" && second !== null ? (second as { code?: string }).code : third;
    if (code === "DEP0123") return;
    emitWarning(...args);
  }) as typeof process.emitWarning;
}

/** Writes one line to stdout. A closed stdout (EPIPE) ends the process quietly with exit 0 (see main.ts). */
export function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}
