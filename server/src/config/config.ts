import { readFileSync } from "node:fs";
import { z } from "zod";
import { API_KEY_SHAPE } from "../domain/api-key.js";
import { BRAND_PATTERN, BRAND_RULE, DEFAULT_BRAND } from "../domain/brand.js";
import { DEFAULT_EVENT_TYPES } from "../domain/event-catalog.js";
import { DEFAULT_API_ADDRESS, HOST_PORT_PATTERN } from "../domain/host-port.js";
import { DEFAULT_RETRY_JITTER_RATIO, DEFAULT_RETRY_SCHEDULE_SECONDS } from "../domain/retry-defaults.js";
import { parseSecretKeys } from "../domain/secret-key.js";
import { checkCidr, checkDatabaseUrl, checkProxyUrl } from "./config-checks.js";
import { listenerProblems } from "./listener-checks.js";
import { closestName, OTHER_POSTHORN_VARIABLES, unknownVariables } from "./posthorn-variables.js";
import { showValue } from "./show-value.js";

/**
 * Server configuration, read and validated once at start (zod) and passed down; nothing else
 * reads the environment. Every setting has an environment variable (see `ENV_NAMES`) and may
 * also come from a JSON file named by `POSTHORN_CONFIG_FILE` (keys as in `Config`); the
 * environment wins over the file.
 */
const csv = z
  .string()
  .refine((s) => s.split(",").some((part) => part.trim() !== ""), "expected at least one comma-separated value; unset it for the default")
  .transform((s) => s.split(",").map((part) => part.trim()).filter((part) => part !== ""));
const list = z.union([z.array(z.string()), csv]);
const bool = z.union(
  [
    z.boolean(),
    z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"]).transform((s) => ["true", "1", "yes", "on"].includes(s)),
  ],
  { error: "expected true/false (or 1/0, yes/no, on/off)" },
);
const hostPort = z
  .string()
  .regex(HOST_PORT_PATTERN, `expected host:port, e.g. ${DEFAULT_API_ADDRESS} ([::1]:50051 for IPv6)`)
  .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, "the port must be 0 to 65535 (0 picks a free port)");
/** A string checked by one of config-checks.ts's functions (undefined = fine, else the reason). */
const checked = (check: (value: string) => string | undefined) =>
  z.string().check((ctx) => {
    const problem = check(ctx.value);
    if (problem !== undefined) ctx.issues.push({ code: "custom", message: problem, input: ctx.value });
  });
/**
 * A number setting: a JSON number, or a string of one written in decimal (`64`, `0.2`, `1e3`),
 * spaces around it allowed. `Number()` alone would read "" and "  " as 0 and "0x10" as 16.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A string holding one decimal number, e.g. " 64 " or "1e3", as that number. */
const decimal = z.string().trim().regex(DECIMAL, "expected a decimal number, e.g. 64 (not empty, not hex)").transform(Number);
const numeric = z.union([z.number(), decimal], { error: "expected a decimal number, e.g. 64 (not empty, not hex)" });
const eventType = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "event types look like `lead.created`");

export const configSchema = z.object({
  /** gRPC listen address, host:port; port 0 picks a free port. */
  listenAddress: hostPort.default(DEFAULT_API_ADDRESS),
  /** PostgreSQL connection string; unset = embedded PGlite in `dataDir`. */
  databaseUrl: checked(checkDatabaseUrl).optional(),
  /** Embedded PGlite data folder (used only without `databaseUrl`). */
  dataDir: z.string().min(1).default("./.posthorn/data"),
  /** Brand in header names and User-Agent: `<brand>-Signature`, `<brand>-Webhooks/1.0` (contract). */
  brand: z.string().regex(BRAND_PATTERN, BRAND_RULE).default(DEFAULT_BRAND),
  /** Accepted event types; default: the reference module's catalog. */
  eventTypes: list.pipe(z.array(eventType).min(1, "at least one event type")).default([...DEFAULT_EVENT_TYPES]),
  /**
   * Largest accepted `data`, in bytes of canonical JSON; at most 256 KiB, so that one event in
   * full (its data as a protobuf Struct, up to about 5.5 times the JSON for arrays of numbers,
   * plus the envelope) always fits in a 2 MiB list page and far under the 4 MiB response limit.
   */
  maxPayloadBytes: numeric.pipe(z.number().int().min(1024).max(256 * 1024)).default(256 * 1024),
  /** Delay in seconds after failed attempt n is `retrySchedule[n-1]`; attempts in all = length + 1. */
  retrySchedule: z
    .union([z.array(z.number()), z.string().pipe(csv).pipe(z.array(decimal))], {
      error: "expected whole seconds separated by commas, e.g. 30,300,1800",
    })
    .pipe(z.array(z.number().int("whole seconds").min(0).max(7 * 86400)).max(50))
    .default([...DEFAULT_RETRY_SCHEDULE_SECONDS]),
  /** Jitter as a ratio: each delay is multiplied by a uniform factor in [1 - j, 1 + j]. */
  retryJitter: numeric.pipe(z.number().min(0).max(1)).default(DEFAULT_RETRY_JITTER_RATIO),
  /** Overall deadline of one attempt (connect, TLS, headers, body), in milliseconds. */
  attemptTimeoutMs: numeric.pipe(z.number().int().min(100).max(120_000)).default(10_000),
  /** Attempts in flight at once in this process. */
  maxConcurrency: numeric.pipe(z.number().int().min(1).max(10_000)).default(64),
  /** Attempts in flight at once to one endpoint origin. */
  maxConcurrencyPerEndpoint: numeric.pipe(z.number().int().min(1).max(1000)).default(8),
  /** CIDRs delivery may reach even though they are not global (e.g. 127.0.0.1/32 for local work). */
  allowedCidrs: list.pipe(z.array(checked(checkCidr))).default([]),
  /** Send every delivery through this HTTP(S) egress proxy instead of connecting directly. */
  egressProxy: checked(checkProxyUrl).optional(),
  /** Run delivery workers in this process (false: API only). */
  workers: bool.default(true),
  /** Serve the gRPC API in this process (false: workers only). */
  api: bool.default(true),
  /** Prometheus metrics listen address host:port; `off` turns metrics off. */
  metricsAddress: z.union([hostPort, z.literal("off")]).default("127.0.0.1:9464"),
  /** pino log level. */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** How often idle workers look for due deliveries, in milliseconds (emits wake them at once). */
  pollIntervalMs: numeric.pipe(z.number().int().min(10).max(60_000)).default(1000),
  /** How many deliveries one claim takes at most. */
  claimBatchSize: numeric.pipe(z.number().int().min(1).max(1000)).default(100),
  /**
   * Lease on a claimed delivery, in seconds, renewed by a heartbeat every third of it while the
   * attempt runs; a crashed process's deliveries are taken over about this long after its last
   * heartbeat.
   */
  leaseSeconds: numeric.pipe(z.number().int().min(3).max(3600)).default(10),
  /**
   * An admin API key to create when the store has no API key at all (PostgreSQL deployments:
   * every process gets the same one). Without it, such a start creates a random admin key and
   * writes it to `<dataDir>/admin.key` (mode 0600). Never logged.
   */
  bootstrapAdminKey: z
    .string()
    .regex(API_KEY_SHAPE, "expected phk_ + 32 to 128 base64url characters (generate one with `posthorn keys generate`)")
    .optional(),
  /**
   * PEM certificate chain of the gRPC listener; with `tlsKeyFile`, the API speaks TLS only. Both
   * files (and `tlsClientCaFile`) are read again on SIGHUP and when they change; new connections
   * get the new certificate, a bad file keeps the old one (logged).
   */
  tlsCertFile: z.string().min(1).optional(),
  /** PEM private key of `tlsCertFile`. */
  tlsKeyFile: z.string().min(1).optional(),
  /** PEM CA bundle: when set, every client must present a certificate it signed (mTLS). */
  tlsClientCaFile: z.string().min(1).optional(),
  /**
   * Serve plaintext gRPC on an address that is not loopback. Off by default: API keys would
   * cross the network in clear. For development behind a trusted network only.
   */
  insecureListen: bool.default(false),
  /**
   * Keys that encrypt signing secrets at rest (AES-256-GCM): `id:base64-of-32-bytes` separated by
   * commas; the first encrypts, all decrypt. Unset: the key file `<dataDir>/secret-keys`
   * (created on the embedded database; required to be set on PostgreSQL). Never logged; a
   * problem names the entry by position and key id, never its key.
   */
  secretKeys: z
    .union([z.array(z.string()), z.string()], { error: "expected id:base64 entries separated by commas" })
    .transform((value, ctx) => {
      const { keys, problems } = parseSecretKeys(typeof value === "string" ? value.split(",").filter((entry) => entry.trim() !== "") : value);
      for (const message of problems) ctx.issues.push({ code: "custom", message, input: "" });
      return keys;
    })
    .optional(),
  /** On SIGTERM: how long in-flight attempts may run before they are aborted (recorded as `shutdown`), in ms; the process exits within this + 2 s. */
  shutdownTimeoutMs: numeric.pipe(z.number().int().min(0).max(120_000)).default(15_000),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variable of each setting. */
export const ENV_NAMES: Record<keyof Config, string> = {
  listenAddress: "POSTHORN_LISTEN_ADDRESS",
  databaseUrl: "DATABASE_URL",
  dataDir: "POSTHORN_DATA_DIR",
  brand: "POSTHORN_BRAND",
  eventTypes: "POSTHORN_EVENT_TYPES",
  maxPayloadBytes: "POSTHORN_MAX_PAYLOAD_BYTES",
  retrySchedule: "POSTHORN_RETRY_SCHEDULE",
  retryJitter: "POSTHORN_RETRY_JITTER",
  attemptTimeoutMs: "POSTHORN_ATTEMPT_TIMEOUT_MS",
  maxConcurrency: "POSTHORN_MAX_CONCURRENCY",
  maxConcurrencyPerEndpoint: "POSTHORN_MAX_CONCURRENCY_PER_ENDPOINT",
  allowedCidrs: "POSTHORN_ALLOWED_CIDRS",
  egressProxy: "POSTHORN_EGRESS_PROXY",
  workers: "POSTHORN_WORKERS",
  api: "POSTHORN_API",
  metricsAddress: "POSTHORN_METRICS_ADDRESS",
  logLevel: "POSTHORN_LOG_LEVEL",
  pollIntervalMs: "POSTHORN_POLL_INTERVAL_MS",
  claimBatchSize: "POSTHORN_CLAIM_BATCH_SIZE",
  leaseSeconds: "POSTHORN_LEASE_SECONDS",
  shutdownTimeoutMs: "POSTHORN_SHUTDOWN_TIMEOUT_MS",
  bootstrapAdminKey: "POSTHORN_BOOTSTRAP_ADMIN_KEY",
  tlsCertFile: "POSTHORN_TLS_CERT_FILE",
  tlsKeyFile: "POSTHORN_TLS_KEY_FILE",
  tlsClientCaFile: "POSTHORN_TLS_CLIENT_CA_FILE",
  insecureListen: "POSTHORN_INSECURE_LISTEN",
  secretKeys: "POSTHORN_SECRET_KEYS",
};

/** The variable naming the JSON config file (not a setting itself). */
export const CONFIG_FILE_ENV = "POSTHORN_CONFIG_FILE";

/** Every `POSTHORN_*` name some part of Posthorn reads (see posthorn-variables.ts). */
export const KNOWN_POSTHORN_VARIABLES: readonly string[] = [
  ...Object.values(ENV_NAMES),
  CONFIG_FILE_ENV,
  ...Object.keys(OTHER_POSTHORN_VARIABLES),
];

/**
 * Bad configuration: `message` lists every problem, one per line, each naming the variable (or
 * config-file key), what is wrong and the fix, and the value received (truncated, passwords
 * masked). Commands exit 2 on it.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((line) => `  ${line}`).join("\n")}`);
  }
}

/** Settings holding keys: their values never appear in a message or a log line. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(["bootstrapAdminKey", "secretKeys"]);

/** Where each setting's value came from, for naming it in a message. */
type Origin = { kind: "env" } | { kind: "file"; path: string };

/** How a setting is named in a message: `POSTHORN_LISTEN_ADDRESS (listenAddress)`, or the file key and the file. */
function settingLabel(key: string, origin: Origin): string {
  const env = ENV_NAMES[key as keyof Config];
  if (origin.kind === "file") return `${key} (in ${CONFIG_FILE_ENV}=${origin.path})`;
  return env === undefined ? key : `${env} (${key})`;
}

/** Problems of `input` against the schema, one line each; see `ConfigError`. */
function validate(input: Record<string, unknown>, originOf: (key: string) => Origin): { config?: Config; problems: string[] } {
  const result = configSchema.safeParse(input);
  if (result.success) {
    // A setting that is missing is named by its variable; a given one by where it came from.
    const label = (key: string) => settingLabel(key, key in input ? originOf(key) : { kind: "env" });
    const env = (key: keyof Config) => ENV_NAMES[key];
    const problems = listenerProblems(result.data, label, env);
    return problems.length === 0 ? { config: result.data, problems } : { problems };
  }
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const value = input[key];
    // Keys are never echoed, not even in part.
    const got = value === undefined ? "" : SECRET_SETTINGS.has(key) ? " (value not shown)" : ` (got ${showValue(value)})`;
    return `${settingLabel(key, originOf(key))}: ${issue.message}${got}`;
  });
  return { problems };
}

/** A line for each key of `input` that is not a setting, with the closest setting's key. */
function unknownKeyProblems(input: Record<string, unknown>, origin: Origin): string[] {
  const keys = Object.keys(ENV_NAMES);
  const envToKey = new Map(Object.entries(ENV_NAMES).map(([key, env]) => [env, key]));
  return Object.keys(input)
    .filter((key) => !Object.hasOwn(ENV_NAMES, key))
    .map((key) => {
      const suggestion = envToKey.get(key) ?? closestName(key, keys);
      const where = origin.kind === "file" ? ` in ${CONFIG_FILE_ENV}=${origin.path}` : "";
      const fix = suggestion === undefined ? "remove it (keys are listed in README.md, Configuration)" : `did you mean "${suggestion}"?`;
      return `${JSON.stringify(key.slice(0, 60))}${where}: not a setting; ${fix}`;
    });
}

/**
 * The `POSTHORN_*` variables in `env` that no part of Posthorn reads, one line each with the
 * closest known name. Values are not shown: an unknown variable may hold a secret.
 */
export function unknownVariableProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  return unknownVariables(env, KNOWN_POSTHORN_VARIABLES).map(({ name, suggestion }) => {
    const fix = suggestion === undefined ? "remove it (settings are listed in README.md, Configuration)" : `did you mean ${suggestion}?`;
    return `${name}: not a Posthorn variable; ${fix}`;
  });
}

/**
 * Validates settings. `input` uses the `Config` keys (from code or tests); a key that is not a
 * setting is an error too. Throws `ConfigError` listing every problem by environment variable name.
 */
export function parseConfig(input: ConfigInput | Record<string, unknown>): Config {
  const record = input as Record<string, unknown>;
  const unknown = unknownKeyProblems(record, { kind: "env" });
  const { config, problems } = validate(record, () => ({ kind: "env" }));
  if (unknown.length > 0 || config === undefined) throw new ConfigError([...unknown, ...problems]);
  return config;
}

/**
 * Reads settings from the environment and the JSON file named by `POSTHORN_CONFIG_FILE` (an
 * object with `Config` keys; the environment wins), then validates everything before anything
 * is opened. Empty variables count as unset.
 * @throws ConfigError listing, in one go, unknown `POSTHORN_*` variables, unknown file keys and
 *   bad values, each with its variable or file key, the value and the fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env[CONFIG_FILE_ENV];
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new ConfigError([`${CONFIG_FILE_ENV}: cannot read ${showValue(file)} as JSON: ${(error as Error).message}`]);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError([`${CONFIG_FILE_ENV}: ${showValue(file)} must hold a JSON object of settings, e.g. {"logLevel": "debug"} (got ${showValue(parsed)})`]);
    }
    fromFile = parsed as Record<string, unknown>;
  }
  const fileOrigin: Origin = { kind: "file", path: file ?? "" };
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== "") fromEnv[key] = value;
  }
  const { config, problems } = validate({ ...fromFile, ...fromEnv }, (key) => (Object.hasOwn(fromEnv, key) ? { kind: "env" } : fileOrigin));
  const unknown = [...unknownVariableProblems(env), ...unknownKeyProblems(fromFile, fileOrigin)];
  if (unknown.length > 0 || config === undefined) throw new ConfigError([...unknown, ...problems]);
  return config;
}
