import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_EVENT_TYPES } from "../domain/event-catalog.js";

/**
 * Server configuration, read and validated once at start (zod) and passed down; nothing else
 * reads the environment. Every setting has an environment variable (see `ENV_NAMES`) and may
 * also come from a JSON file named by `POSTHORN_CONFIG_FILE` (keys as in `Config`); the
 * environment wins over the file.
 */
const csv = z
  .string()
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
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:50051 ([::1]:50051 for IPv6)");
const eventType = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "event types look like `lead.created`");

export const configSchema = z.object({
  /** gRPC listen address, host:port; port 0 picks a free port. */
  listenAddress: hostPort.default("127.0.0.1:50051"),
  /** PostgreSQL connection string; unset = embedded PGlite in `dataDir`. */
  databaseUrl: z.string().url("expected a postgres:// URL").optional(),
  /** Embedded PGlite data folder (used only without `databaseUrl`). */
  dataDir: z.string().min(1).default("./.posthorn/data"),
  /** Brand in header names and User-Agent: `<brand>-Signature`, `<brand>-Webhooks/1.0` (contract). */
  brand: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,39}$/, "letters, digits and '-', starting with a letter").default("Dealix"),
  /** Accepted event types; default: the reference module's catalog. */
  eventTypes: list.pipe(z.array(eventType).min(1, "at least one event type")).default([...DEFAULT_EVENT_TYPES]),
  /**
   * Largest accepted `data`, in bytes of canonical JSON; at most 256 KiB, so that one event in
   * full (its data as a protobuf Struct, up to about 5.5 times the JSON for arrays of numbers,
   * plus the envelope) always fits in a 2 MiB list page and far under the 4 MiB response limit.
   */
  maxPayloadBytes: z.coerce.number().int().min(1024).max(256 * 1024).default(256 * 1024),
  /** Delay in seconds after failed attempt n is `retrySchedule[n-1]`; attempts in all = length + 1. */
  retrySchedule: z
    .union([z.array(z.number()), csv.transform((parts) => parts.map(Number))])
    .pipe(z.array(z.number().int("whole seconds").min(0).max(7 * 86400)).max(50))
    .default([30, 300, 1800, 21600, 86400]),
  /** Jitter as a ratio: each delay is multiplied by a uniform factor in [1 - j, 1 + j]. */
  retryJitter: z.coerce.number().min(0).max(1).default(0.2),
  /** Overall deadline of one attempt (connect, TLS, headers, body), in milliseconds. */
  attemptTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Attempts in flight at once in this process. */
  maxConcurrency: z.coerce.number().int().min(1).max(10_000).default(64),
  /** Attempts in flight at once to one endpoint origin. */
  maxConcurrencyPerEndpoint: z.coerce.number().int().min(1).max(1000).default(8),
  /** CIDRs delivery may reach even though they are not global (e.g. 127.0.0.1/32 for local work). */
  allowedCidrs: list.default([]),
  /** Send every delivery through this HTTP(S) egress proxy instead of connecting directly. */
  egressProxy: z.string().url("expected an http(s):// proxy URL").optional(),
  /** Run delivery workers in this process (false: API only). */
  workers: bool.default(true),
  /** Serve the gRPC API in this process (false: workers only). */
  api: bool.default(true),
  /** Prometheus metrics listen address host:port; `off` turns metrics off. */
  metricsAddress: z.union([hostPort, z.literal("off")]).default("127.0.0.1:9464"),
  /** pino log level. */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** How often idle workers look for due deliveries, in milliseconds (emits wake them at once). */
  pollIntervalMs: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** How many deliveries one claim takes at most. */
  claimBatchSize: z.coerce.number().int().min(1).max(1000).default(100),
  /**
   * Lease on a claimed delivery, in seconds, renewed by a heartbeat every third of it while the
   * attempt runs; a crashed process's deliveries are taken over about this long after its last
   * heartbeat.
   */
  leaseSeconds: z.coerce.number().int().min(3).max(3600).default(10),
  /** On SIGTERM: how long in-flight attempts may run before they are aborted (recorded as `shutdown`), in ms; the process exits within this + 2 s. */
  shutdownTimeoutMs: z.coerce.number().int().min(0).max(120_000).default(15_000),
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
};

/** A setting that failed validation; `message` names the setting and says what to fix. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Validates settings. `input` uses the `Config` keys (from code, tests or the config file).
 * Throws `ConfigError` listing every bad setting by its environment variable name.
 */
export function parseConfig(input: ConfigInput | Record<string, unknown>): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const env = ENV_NAMES[key as keyof Config] ?? key;
      return `  ${env} (${key}): ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const config = result.data;
  return config;
}

/**
 * Reads settings from the environment (and the JSON file named by `POSTHORN_CONFIG_FILE`),
 * then validates them with `parseConfig`. Empty variables count as unset.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env.POSTHORN_CONFIG_FILE;
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`POSTHORN_CONFIG_FILE: cannot read ${file} as JSON: ${(error as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== "") fromEnv[key] = value;
  }
  return parseConfig({ ...fromFile, ...fromEnv });
}
