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
