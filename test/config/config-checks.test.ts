/** The parser's side of the config checks: values, names and masking, without a process. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../server/src/config/config-error.js";
import { loadConfig, parseConfig } from "../../server/src/config/load-config.js";
import { checkCidr, checkDatabaseUrl, checkProxyUrl } from "../../server/src/config/config-checks.js";
import { defaultPoolSize } from "../../server/src/config/config.js";
import { closestName } from "../../server/src/config/posthorn-variables.js";
import { showValue } from "../../server/src/config/show-value.js";

describe("CIDR check", () => {
  it.each([
    ["127.0.0.1/32", undefined],
    ["10.0.0.0/8", undefined],
    ["0.0.0.0/0", undefined],
    ["fd00::/8", undefined],
    ["::1/128", undefined],
    ["notacidr", "is not a CIDR; expected address/prefix-length"],
    ["10.0.0.0", "is not a CIDR"],
    ["10.0.0.0/33", "prefix length 33 is out of range (IPv4: 0–32)"],
    ["fd00::/129", "prefix length 129 is out of range (IPv6: 0–128)"],
    ["127.1/32", '"127.1" is not an IPv4 or IPv6 address'],
    ["300.0.0.0/8", "is not an IPv4 or IPv6 address"],
    ["10.0.0.0/8/8", "is not a CIDR"],
  ])("%s", (value, problem) => {
    if (problem === undefined) expect(checkCidr(value)).toBeUndefined();
    else expect(checkCidr(value)).toContain(problem);
  });
});

describe("DATABASE_URL check", () => {
  it.each([
    ["postgres://user:pw@db.internal:5432/posthorn", undefined],
    ["postgresql://db.internal/posthorn", undefined],
    ["postgres://user@/posthorn?host=/var/run/postgresql", undefined],
    ["mysql://user@db.internal/posthorn", 'scheme "mysql://" is not PostgreSQL'],
    ["db.internal:5432", "not a URL"],
    ["postgres:///posthorn", "no host"],
    ["postgres://db.internal:99999/posthorn", "is the port 1–65535?"],
  ])("%s", (value, problem) => {
    if (problem === undefined) expect(checkDatabaseUrl(value)).toBeUndefined();
    else expect(checkDatabaseUrl(value)).toContain(problem);
  });
});

describe("egress proxy check", () => {
  it.each([
    ["http://proxy.internal:3128", undefined],
    ["https://proxy.internal", undefined],
    ["socks5://proxy.internal:1080", "SOCKS proxies are not supported"],
    ["socks://proxy.internal:1080", "SOCKS proxies are not supported"],
    ["ftp://proxy.internal", 'scheme "ftp:" is not supported'],
    ["proxy.internal:3128", 'scheme "proxy.internal:" is not supported'],
    ["not a url", "not a URL"],
  ])("%s", (value, problem) => {
    if (problem === undefined) expect(checkProxyUrl(value)).toBeUndefined();
    else expect(checkProxyUrl(value)).toContain(problem);
  });
});

describe("values in messages", () => {
  it.each([
    ["postgres://app:hunter2@db/posthorn", '"postgres://app:***@db/posthorn"'],
    ["postgres://app:hun@ter/2@db/posthorn", '"postgres://app:***@db/posthorn"'],
    ["postgres://db/posthorn?user=app&password=hunter2", '"postgres://db/posthorn?user=app&password=***"'],
    ["http://u:hunter2@proxy:3128", '"http://u:***@proxy:3128"'],
    [["10.0.0.0/8", "x"], '["10.0.0.0/8","x"]'],
  ])("%j is shown as %s", (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });

  it("are cut after 80 characters", () => {
    expect(showValue("a".repeat(500))).toBe(`"${"a".repeat(80)}…"`);
  });
});

describe("did you mean", () => {
  const names = ["POSTHORN_LISTEN_ADDRESS", "POSTHORN_ADDRESS", "POSTHORN_API", "POSTHORN_LOG_LEVEL"];
  it.each([
    ["POSTHORN_LISTEN_ADDRES", "POSTHORN_LISTEN_ADDRESS"],
    ["POSTHORN_ADRESS", "POSTHORN_ADDRESS"],
    ["posthorn_log_level", "POSTHORN_LOG_LEVEL"],
    ["POSTHORN_XYZZY", undefined],
  ])("%s → %s", (name, suggestion) => {
    expect(closestName(name, names, "POSTHORN_")).toBe(suggestion);
  });
});

describe("loadConfig", () => {
  it("accepts the variables of the client commands and of Posthorn's own tooling", () => {
    const config = loadConfig({
      POSTHORN_ADDRESS: "127.0.0.1:1",
      POSTHORN_PG_STOP: "pg_ctl stop",
      POSTHORN_TEST_LOG_LEVEL: "debug",
      POSTHORN_UNKNOWN_BUT_EMPTY: "",
      POSTHORN_LISTEN_ADDRESS: "127.0.0.1:0",
    });
    expect(config.listenAddress).toBe("127.0.0.1:0");
  });

  it("lists every problem at once: unknown variables, unknown file keys, bad values from either source", () => {
    const dir = mkdtempSync(join(tmpdir(), "posthorn-config-"));
    const file = join(dir, "posthorn.json");
    writeFileSync(file, JSON.stringify({ POSTHORN_BRAND: "Acme", retrySchedul: [1], allowedCidrs: ["10.0.0.0/8", "nope"], logLevel: "debug" }));
    let error: unknown;
    try {
      loadConfig({ POSTHORN_CONFIG_FILE: file, POSTHORN_WORKER: "false", POSTHORN_LOG_LEVEL: "loud" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "POSTHORN_WORKER: not a Posthorn variable; did you mean POSTHORN_WORKERS?",
      `"POSTHORN_BRAND" in POSTHORN_CONFIG_FILE=${file}: not a setting; did you mean "brand"?`,
      `"retrySchedul" in POSTHORN_CONFIG_FILE=${file}: not a setting; did you mean "retrySchedule"?`,
      `allowedCidrs (in POSTHORN_CONFIG_FILE=${file}): "nope" is not a CIDR; expected address/prefix-length, e.g. 127.0.0.1/32, 10.0.0.0/8 or fd00::/8 (got ["10.0.0.0/8","nope"])`,
      expect.stringMatching(/^POSTHORN_LOG_LEVEL \(logLevel\): .*\(got "loud"\)$/),
    ]);
  });

  it("refuses a config file that is not a JSON object", () => {
    const dir = mkdtempSync(join(tmpdir(), "posthorn-config-"));
    const file = join(dir, "posthorn.json");
    writeFileSync(file, "[1, 2]");
    expect(() => loadConfig({ POSTHORN_CONFIG_FILE: file })).toThrow(/must hold a JSON object of settings.*\(got \[1,2\]\)/);
  });

  it("parseConfig refuses keys that are not settings", () => {
    expect(() => parseConfig({ listenAdress: "127.0.0.1:0" })).toThrow('"listenAdress": not a setting; did you mean "listenAddress"?');
  });
});

describe("number settings", () => {
  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    return "accepted";
  };

  it.each([
    ["POSTHORN_SHUTDOWN_TIMEOUT_MS", "  "], // was read as 0: in-flight attempts aborted at once
    ["POSTHORN_RETRY_JITTER", " "], // was read as 0
    ["POSTHORN_MAX_CONCURRENCY", "0x10"], // was read as 16
    ["POSTHORN_CLAIM_BATCH_SIZE", "0b11"], // was read as 3
    ["POSTHORN_RETRY_SCHEDULE", "30,0x10"], // was read as [30, 16]
    ["POSTHORN_RETRY_SCHEDULE", "30,,abc"],
    ["POSTHORN_RETRY_SCHEDULE", " , "], // was read as [], no retries at all
  ])("refuse %s=%j, naming the variable and the value", (name, value) => {
    expect(problemsOf({ [name]: value })).toMatch(new RegExp(`${name} \\(\\w+\\): expected .*\\(got ${JSON.stringify(value)}\\)`));
  });

  it("read decimal strings with spaces around them; an empty variable means the default", () => {
    const config = loadConfig({ POSTHORN_MAX_CONCURRENCY: " 1e3 ", POSTHORN_RETRY_JITTER: ".5", POSTHORN_RETRY_SCHEDULE: "30, 60", POSTHORN_SHUTDOWN_TIMEOUT_MS: "" });
    expect([config.maxConcurrency, config.retryJitter, config.retrySchedule, config.shutdownTimeoutMs]).toEqual([1000, 0.5, [30, 60], 15_000]);
  });
});

describe("listen addresses", () => {
  it.each(["POSTHORN_LISTEN_ADDRESS", "POSTHORN_METRICS_ADDRESS"])("%s refuses a port above 65535 and accepts 65535", (name) => {
    expect(() => loadConfig({ [name]: "127.0.0.1:99999" })).toThrow(new RegExp(`${name} \\(\\w+\\): the port must be 0 to 65535`));
    expect(() => loadConfig({ [name]: "127.0.0.1:65535" })).not.toThrow();
  });
});

describe("database pool settings", () => {
  it.each([
    ["0", "POSTHORN_DB_POOL_SIZE (dbPoolSize): at least 1 connection"],
    ["2.5", "POSTHORN_DB_POOL_SIZE (dbPoolSize): a whole number of connections"],
    ["1001", "POSTHORN_DB_POOL_SIZE (dbPoolSize): at most 1000 connections"],
    ["many", "POSTHORN_DB_POOL_SIZE (dbPoolSize): expected a decimal number"],
  ])("POSTHORN_DB_POOL_SIZE=%s is refused, saying why", (value, message) => {
    expect(() => loadConfig({ POSTHORN_DB_POOL_SIZE: value })).toThrow(message);
  });

  it("POSTHORN_DB_POOL_SIZE unset is an eighth of the concurrency within 10–50; set, it is that number", () => {
    expect(loadConfig({}).dbPoolSize).toBeUndefined();
    expect([defaultPoolSize(loadConfig({}).maxConcurrency), defaultPoolSize(8), defaultPoolSize(1000)]).toEqual([16, 10, 50]);
    expect(loadConfig({ POSTHORN_DB_POOL_SIZE: "25" }).dbPoolSize).toBe(25);
  });

  it.each(["tab\there", "posthörn", "x".repeat(57)])("POSTHORN_DB_APPLICATION_NAME=%j is refused", (value) => {
    expect(() => loadConfig({ POSTHORN_DB_APPLICATION_NAME: value })).toThrow(
      /POSTHORN_DB_APPLICATION_NAME \(dbApplicationName\): expected 1 to 56 printable ASCII characters/,
    );
  });

  it("POSTHORN_DB_APPLICATION_NAME defaults to posthorn and takes a name per instance", () => {
    expect(loadConfig({}).dbApplicationName).toBe("posthorn");
    expect(loadConfig({ POSTHORN_DB_APPLICATION_NAME: "posthorn-api-1" }).dbApplicationName).toBe("posthorn-api-1");
  });
});
