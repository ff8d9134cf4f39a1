import didYouMean, { ThresholdTypeEnums } from "didyoumean2";

/**
 * Which `POSTHORN_*` environment variables exist. A variable with that prefix that nothing in
 * Posthorn reads is almost always a typo (ADDRES for ADDRESS), and a typo silently falls
 * back to a default, so every `posthorn` command refuses it (exit 2) with the closest known name.
 *
 * Known names are one set for every command: the server settings (`ENV_NAMES` in config.ts),
 * `POSTHORN_CONFIG_FILE`, and `OTHER_POSTHORN_VARIABLES` below. So `posthorn serve` accepts a
 * shell that also has `POSTHORN_ADDRESS` for the client commands, and `posthorn emit` accepts one
 * that has the server's settings: one shell (or one `.env`) serves both.
 */

/**
 * `POSTHORN_*` variables that are not server settings but are read by the client commands,
 * Posthorn's own scripts and tests, or the examples in its docs. Adding a variable to the
 * project means adding it here (test/cli/config-errors.test.ts checks the repository for names
 * missing from this list).
 */
export const OTHER_POSTHORN_VARIABLES: Readonly<Record<string, string>> = {
  POSTHORN_ADDRESS: "client commands: the server's gRPC address (--address)",
  POSTHORN_API_KEY: "client commands and SDKs: the API key to call with (--api-key)",
  POSTHORN_TLS: "client commands: connect with TLS (--tls)",
  POSTHORN_TLS_CA_FILE: "client commands: PEM CA bundle to verify the server with (--tls-ca)",
  POSTHORN_PG_STOP: ".ci/start-postgres.sh: the command that stops the throwaway PostgreSQL",
  POSTHORN_PG_CTL: ".ci/start-postgres.sh: pg_ctl for the throwaway PostgreSQL",
  POSTHORN_PG_DATA: ".ci/start-postgres.sh: the throwaway PostgreSQL's data folder",
  POSTHORN_PG_DURABLE: ".ci/start-postgres.sh: keep PostgreSQL's durability defaults (benchmarks)",
  POSTHORN_TEST_LOG_LEVEL: "tests: log level of in-process test servers",
  POSTHORN_TEST_SHUTDOWN_STOPS: "tests: SIGTERMs in the shutdown stress test",
  POSTHORN_CHROMIUM: ".ci/run and the portal's browser test: the Chromium to drive (.ci/find-chromium.sh)",
  POSTHORN_VECTORS: "Go and Python SDK tests: the signature test vectors file",
  POSTHORN_WEBHOOK_SECRET: "verifier README examples: a receiver's signing secret",
  POSTHORN_SECRET: "Python SDK example receiver: its signing secrets",
};

const PREFIX = "POSTHORN_";

/** One unknown name and the closest known one, if any is close. */
export interface UnknownName {
  name: string;
  suggestion: string | undefined;
}

/**
 * The `POSTHORN_*` names set (non-empty) in `env` that are not in `known`, each with the closest
 * known name. Empty variables count as unset, as for settings.
 */
export function unknownVariables(env: NodeJS.ProcessEnv, known: readonly string[]): UnknownName[] {
  const knownSet = new Set(known);
  const candidates = known.filter((name) => name.startsWith(PREFIX));
  return Object.keys(env)
    .filter((name) => name.startsWith(PREFIX) && env[name] !== undefined && env[name] !== "" && !knownSet.has(name))
    .sort()
    .map((name) => ({ name, suggestion: closestName(name, candidates, PREFIX) }));
}

/**
 * The candidate closest to `name` (Levenshtein similarity via didyoumean2, case-insensitive),
 * or undefined when none shares at least half of it. A prefix every candidate has (`POSTHORN_`)
 * is left out of the comparison, so that it alone does not make two names look alike.
 */
export function closestName(name: string, candidates: readonly string[], commonPrefix = ""): string | undefined {
  const strip = (text: string) => (commonPrefix !== "" && text.startsWith(commonPrefix) ? text.slice(commonPrefix.length) : text);
  const byStripped = new Map(candidates.map((candidate) => [strip(candidate), candidate]));
  const best = didYouMean(strip(name), [...byStripped.keys()], { threshold: 0.5, thresholdType: ThresholdTypeEnums.SIMILARITY });
  return best === null ? undefined : byStripped.get(best);
}
