import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";
import { configSchema, type Config, type ConfigInput } from "./config.js";
import { endpointHealthProblems } from "./endpoint-health-checks.js";
import { listenerProblems } from "./listener-checks.js";
import { retentionProblems } from "./retention-checks.js";
import { CONFIG_FILE_ENV, ENV_NAMES, settingLabel, unknownKeyProblems, unknownVariableProblems, type Origin } from "./setting-names.js";
import { showValue } from "./show-value.js";

/** Settings holding keys: their values never appear in a message or a log line. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(["bootstrapAdminKey", "secretKeys"]);

/**
 * Settings whose entries are named in a problem (`eventTypes[3].schema`) with the entry's
 * value, instead of the whole setting's.
 */
const ENTRY_SETTINGS: ReadonlySet<string> = new Set(["eventTypes"]);

/** `[3].schema` for the path `[3, "schema"]`. */
function entryPath(path: readonly PropertyKey[]): string {
  return path.map((step) => (typeof step === "number" ? `[${step}]` : `.${String(step)}`)).join("");
}

/** Problems of `input` against the schema, one line each; see `ConfigError`. */
function validate(input: Record<string, unknown>, originOf: (key: string) => Origin): { config?: Config; problems: string[] } {
  const result = configSchema.safeParse(input);
  if (result.success) {
    // A setting that is missing is named by its variable; a given one by where it came from.
    const label = (key: string) => settingLabel(key, key in input ? originOf(key) : { kind: "env" });
    const env = (key: keyof Config) => ENV_NAMES[key];
    const problems = [
      ...listenerProblems(result.data, label, env),
      ...retentionProblems(result.data, label, env),
      ...endpointHealthProblems(result.data, label, env),
    ];
    return problems.length === 0 ? { config: result.data, problems } : { problems };
  }
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    if (ENTRY_SETTINGS.has(key) && issue.path.length > 1) {
      // The message says what the entry holds when that helps; the entry itself can be long.
      const rest = issue.path.slice(1);
      const entry = Array.isArray(input[key]) ? `${key}${entryPath(rest)}` : key;
      return `${settingLabel(key, originOf(key), entry)}: ${issue.message}`;
    }
    const value = input[key];
    // Keys are never echoed, not even in part.
    const got = value === undefined ? "" : SECRET_SETTINGS.has(key) ? " (value not shown)" : ` (got ${showValue(value)})`;
    return `${settingLabel(key, originOf(key))}: ${issue.message}${got}`;
  });
  return { problems };
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
