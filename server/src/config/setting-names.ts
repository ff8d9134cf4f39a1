import type { Config } from "./config.js";
import { closestName, OTHER_POSTHORN_VARIABLES, unknownVariables } from "./posthorn-variables.js";

// How settings are named to people: the environment variable of each, and the lines of a
// ConfigError about names that are not settings.

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
  sendThreads: "POSTHORN_SEND_THREADS",
  workers: "POSTHORN_WORKERS",
  api: "POSTHORN_API",
  httpAddress: "POSTHORN_HTTP_ADDRESS",
  publicUrl: "POSTHORN_PUBLIC_URL",
  metricsAddress: "POSTHORN_METRICS_ADDRESS",
  dbPoolSize: "POSTHORN_DB_POOL_SIZE",
  dbApplicationName: "POSTHORN_DB_APPLICATION_NAME",
  logLevel: "POSTHORN_LOG_LEVEL",
  tracing: "POSTHORN_TRACING",
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
  retentionDays: "POSTHORN_RETENTION_DAYS",
  payloadRetentionDays: "POSTHORN_PAYLOAD_RETENTION_DAYS",
  prune: "POSTHORN_PRUNE",
  operationalCustomerId: "POSTHORN_OPERATIONAL_CUSTOMER_ID",
  endpointDisableAfterHours: "POSTHORN_ENDPOINT_DISABLE_AFTER_HOURS",
  endpointWarnAfterHours: "POSTHORN_ENDPOINT_WARN_AFTER_HOURS",
  endpointDisableMinAttempts: "POSTHORN_ENDPOINT_DISABLE_MIN_ATTEMPTS",
};

/** The variable naming the JSON config file (not a setting itself). */
export const CONFIG_FILE_ENV = "POSTHORN_CONFIG_FILE";

/** Every `POSTHORN_*` name some part of Posthorn reads (see posthorn-variables.ts). */
export const KNOWN_POSTHORN_VARIABLES: readonly string[] = [
  ...Object.values(ENV_NAMES),
  CONFIG_FILE_ENV,
  ...Object.keys(OTHER_POSTHORN_VARIABLES),
];

/** Where each setting's value came from, for naming it in a message. */
export type Origin = { kind: "env" } | { kind: "file"; path: string };

/**
 * How a setting is named in a message: `POSTHORN_LISTEN_ADDRESS (listenAddress)`, or the file key
 * and the file. `entry` names a part of the setting instead of its key, e.g. `eventTypes[3].schema`.
 */
export function settingLabel(key: string, origin: Origin, entry = key): string {
  const env = ENV_NAMES[key as keyof Config];
  if (origin.kind === "file") return `${entry} (in ${CONFIG_FILE_ENV}=${origin.path})`;
  return env === undefined ? entry : `${env} (${entry})`;
}

/** A line for each key of `input` that is not a setting, with the closest setting's key. */
export function unknownKeyProblems(input: Record<string, unknown>, origin: Origin): string[] {
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
