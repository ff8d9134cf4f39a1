import { z } from "zod";
import { API_KEY_SHAPE } from "../domain/api-key.js";
import { BRAND_PATTERN, BRAND_RULE, DEFAULT_BRAND } from "../domain/brand.js";
import { DEFAULT_EVENT_TYPES, type EventTypeEntry } from "../domain/event-catalog.js";
import { DEFAULT_API_ADDRESS, HOST_PORT_PATTERN } from "../domain/host-port.js";
import { DEFAULT_RETRY_JITTER_RATIO, DEFAULT_RETRY_SCHEDULE_SECONDS } from "../domain/retry-defaults.js";
import { parseSecretKeys } from "../domain/secret-key.js";
import { checkCidr, checkDatabaseUrl, checkProxyUrl } from "./config-checks.js";
import { parseEventTypeEntries } from "./event-type-entries.js";
import { checkPublicUrl } from "./public-url.js";

/**
 * Server configuration, read and validated once at start (zod) and passed down; nothing else
 * reads the environment. Every setting has an environment variable (`ENV_NAMES`,
 * setting-names.ts) and may also come from a JSON file named by `POSTHORN_CONFIG_FILE` (keys as
 * in `Config`); the environment wins over the file. Reading and validating: load-config.ts.
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
/**
 * Printable ASCII, 1–56 characters: PostgreSQL replaces other characters with `?` and cuts
 * `application_name` at 63 bytes (NAMEDATALEN − 1), and 7 are kept for the `-listen` suffix.
 */
const APPLICATION_NAME = /^[\x20-\x7e]{1,56}$/;
/**
 * The event catalog: type names separated by commas (environment), or an array of names and
 * entry objects `{name, description?, schema?, example?}` (config file), checked entry by entry
 * (event-type-entries.ts); a problem's path names its entry (`eventTypes[3].schema`).
 */
const eventTypes = z
  .union([csv, z.array(z.unknown())], {
    error: 'expected type names separated by commas, or (in the config file) an array of names and {"name", "description", "schema", "example"} objects',
  })
  .transform((values, ctx): EventTypeEntry[] => {
    const { entries, problems } = parseEventTypeEntries(values);
    for (const { path, message } of problems) ctx.issues.push({ code: "custom", message, input: values, path });
    return entries;
  });

export const configSchema = z.object({
  /** gRPC listen address, host:port; port 0 picks a free port. */
  listenAddress: hostPort.default(DEFAULT_API_ADDRESS),
  /** PostgreSQL connection string; unset = embedded PGlite in `dataDir`. */
  databaseUrl: checked(checkDatabaseUrl).optional(),
  /** Embedded PGlite data folder (used only without `databaseUrl`). */
  dataDir: z.string().min(1).default("./.posthorn/data"),
  /** Brand in header names and User-Agent: `<brand>-Signature`, `<brand>-Webhooks/1.0` (contract). */
  brand: z.string().regex(BRAND_PATTERN, BRAND_RULE).default(DEFAULT_BRAND),
  /**
   * The event catalog: accepted event types, each with an optional description, JSON Schema of
   * its data and example (domain/event-catalog.ts); default: the reference module's catalog,
   * names only.
   */
  eventTypes: eventTypes.default(DEFAULT_EVENT_TYPES.map((name) => ({ name }))),
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
  /**
   * Attempts in flight at once in this process. 16 endpoints' worth of the per-endpoint limit:
   * an endpoint that hangs holds its 8 for the attempt timeout, a sixteenth of the whole.
   */
  maxConcurrency: numeric.pipe(z.number().int().min(1).max(10_000)).default(128),
  /** Attempts in flight at once to one endpoint origin. */
  maxConcurrencyPerEndpoint: numeric.pipe(z.number().int().min(1).max(1000)).default(8),
  /** CIDRs delivery may reach even though they are not global (e.g. 127.0.0.1/32 for local work). */
  allowedCidrs: list.pipe(z.array(checked(checkCidr))).default([]),
  /** Send every delivery through this HTTP(S) egress proxy instead of connecting directly. */
  egressProxy: checked(checkProxyUrl).optional(),
  /** Threads that make the HTTP exchanges of deliveries (0: the main thread does). */
  sendThreads: numeric.pipe(z.number().int().min(0).max(16)).default(1),
  /** Run delivery workers in this process (false: API only). */
  workers: bool.default(true),
  /** Serve the gRPC API in this process (false: workers only). */
  api: bool.default(true),
  /**
   * HTTP listen address host:port of the same API over Connect (JSON and binary, gRPC-Web), the
   * probes (`/healthz`, `/readyz`) and the customer portal (`/portal/`); `off` turns it off. Same
   * TLS files and loopback rule as `listenAddress`.
   */
  httpAddress: z.union([hostPort, z.literal("off")]).default("127.0.0.1:8080"),
  /**
   * Public base URL of the HTTP listener, e.g. `https://posthorn.example.com`: portal session
   * URLs are `<publicUrl>/portal/#key=…`. Unset: made from `httpAddress` (public-url.ts).
   */
  publicUrl: checked(checkPublicUrl).optional(),
  /** Prometheus metrics listen address host:port; `off` turns metrics off. */
  metricsAddress: z.union([hostPort, z.literal("off")]).default("127.0.0.1:9464"),
  /**
   * Most connections of the PostgreSQL pool (the LISTEN and health-probe connections come on
   * top). Unset: an eighth of `maxConcurrency`, within 10–50 (`defaultPoolSize`). Ignored on PGlite.
   */
  dbPoolSize: numeric.pipe(z.number().int("a whole number of connections").min(1, "at least 1 connection").max(1000, "at most 1000 connections")).optional(),
  /**
   * PostgreSQL `application_name` of this process's connections, shown in `pg_stat_activity`;
   * the LISTEN connection gets it + `-listen`. An `application_name` in `databaseUrl` wins.
   */
  dbApplicationName: z
    .string()
    .regex(APPLICATION_NAME, "expected 1 to 56 printable ASCII characters (PostgreSQL keeps 63 bytes, and the LISTEN connection adds -listen)")
    .default("posthorn"),
  /** pino log level. */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * OpenTelemetry tracing: `off` (no SDK loaded) or `otlp` (spans exported over OTLP/HTTP; the
   * endpoint and the rest from the standard `OTEL_*` variables, read by the SDK). See
   * observability/tracing.ts.
   */
  tracing: z.enum(["off", "otlp"]).default("off"),
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
  /**
   * Days events, deliveries and attempts are kept (issue 14): a day's partitions are dropped once
   * the whole day is this old and none of its deliveries is pending.
   */
  retentionDays: numeric.pipe(z.number().int("whole days").min(1, "at least 1 day").max(3650, "at most 3650 days")).default(30),
  /**
   * Days event payloads are kept, when shorter than `retentionDays` (the delivery log stays, the
   * body goes, as Svix's payload expiry). Unset: kept for the whole retention. Must be less than
   * `retentionDays` (checked in retention-checks.ts).
   */
  payloadRetentionDays: numeric.pipe(z.number().int("whole days").min(1, "at least 1 day")).optional(),
  /** Drop partitions past retention in this process (off: never, e.g. when another deploy sharing the database prunes). */
  prune: bool.default(true),
  /**
   * The customer id that gets Posthorn's operational events (`endpoint.failing`,
   * `endpoint.disabled`, `endpoint.recovered`, `delivery.exhausted`, `secret.rotated`;
   * domain/operational-events.ts) at its subscriptions. Unset: none are emitted.
   */
  operationalCustomerId: z.string().trim().min(1).max(255, "at most 255 characters").optional(),
  /**
   * Hours every attempt to an endpoint must have failed before the server disables its
   * subscription (issue 15; 120 = 5 days, as Svix); 0 turns auto-disable off. Also needs
   * `endpointDisableMinAttempts` failed attempts in that time.
   */
  endpointDisableAfterHours: numeric.pipe(z.number().int("whole hours").min(0).max(24 * 365)).default(120),
  /** Hours of failing (every attempt) after which the endpoint is FAILING and `endpoint.failing` is sent. */
  endpointWarnAfterHours: numeric.pipe(z.number().int("whole hours").min(1).max(24 * 365)).default(24),
  /** Failed attempts a failing spell needs, besides its length, before auto-disable (so one lone event cannot disable). */
  endpointDisableMinAttempts: numeric.pipe(z.number().int().min(1).max(100_000)).default(10),
  /** On SIGTERM: how long in-flight attempts may run before they are aborted (recorded as `shutdown`), in ms; the process exits within this + 2 s. */
  shutdownTimeoutMs: numeric.pipe(z.number().int().min(0).max(120_000)).default(15_000),
});

export type Config = z.infer<typeof configSchema>;

/**
 * The pool size when `dbPoolSize` is unset: an eighth of `maxConcurrency`, at least 10 and at
 * most 50 (16 at the default). Attempts need no connection of their own: claims and records are
 * batched (one statement each at a time), so the pool serves mostly the API's calls.
 */
export function defaultPoolSize(maxConcurrency: number): number {
  return Math.max(10, Math.min(50, Math.ceil(maxConcurrency / 8)));
}
export type ConfigInput = z.input<typeof configSchema>;
