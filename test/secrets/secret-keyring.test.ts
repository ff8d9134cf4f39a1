/** The keyring and its configuration, without a database: sealing, opening, key lists and the key file. */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../server/src/config/config-error.js";
import { loadConfig } from "../../server/src/config/load-config.js";
import { generateSecret } from "../../server/src/domain/secret.js";
import { loadSecretKeyring } from "../../server/src/secrets/load-secret-keyring.js";
import { SecretUnsealError } from "../../server/src/secrets/secret-cipher.js";
import { loadOrCreateSecretKeyFile, secretKeyFilePath } from "../../server/src/secrets/secret-key-file.js";
import { formatSecretKey, generateSecretKey, parseSecretKeys } from "../../server/src/domain/secret-key.js";
import { OpenedSecretCache } from "../../server/src/secrets/opened-secret-cache.js";
import { SecretKeyring } from "../../server/src/secrets/secret-keyring.js";

const K1 = generateSecretKey();
const K2 = generateSecretKey();

function unsealError(fn: () => unknown): SecretUnsealError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretUnsealError) return error;
    throw error;
  }
  throw new Error("expected a SecretUnsealError");
}

describe("SecretKeyring", () => {
  it("seals as v1.<key id>.<iv>.<ciphertext> and opens it again; every seal differs", () => {
    const ring = new SecretKeyring([K1]);
    const secret = generateSecret();
    const sealed = ring.seal("sub_a", secret);
    expect(sealed).toMatch(new RegExp(`^v1\\.${K1.id}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain("whsec_");
    expect(sealed).not.toContain(secret.slice(6));
    expect(ring.seal("sub_a", secret)).not.toBe(sealed);
    expect(ring.open("sub_a", sealed)).toBe(secret);
  });

  it("does not open a sealed secret copied to another subscription (the id is authenticated)", () => {
    const ring = new SecretKeyring([K1]);
    const sealed = ring.seal("sub_a", generateSecret());
    const error = unsealError(() => ring.open("sub_b", sealed));
    expect(error).toMatchObject({ subscriptionId: "sub_b", keyId: K1.id, failure: "failed_tag" });
  });

  it("names an unknown key id, and refuses an altered or malformed value, never showing the secret", () => {
    const secret = generateSecret();
    const sealed = new SecretKeyring([K1]).seal("sub_a", secret);
    const error = unsealError(() => new SecretKeyring([K2]).open("sub_a", sealed));
    expect(error).toMatchObject({ keyId: K1.id, failure: "unknown_key" });
    expect(error.message).toContain(`"${K1.id}"`);
    expect(error.message).toContain("sub_a");
    const [v, id, iv, body] = sealed.split(".") as [string, string, string, string];
    const flipped = body.slice(0, -2) + (body.at(-2) === "A" ? "B" : "A") + body.at(-1);
    expect(unsealError(() => new SecretKeyring([K1]).open("sub_a", [v, id, iv, flipped].join(".")))).toMatchObject({ failure: "failed_tag" });
    expect(unsealError(() => new SecretKeyring([K1]).open("sub_a", secret))).toMatchObject({ failure: "malformed" });
  });

  it("opens with every key and seals with the first: reseal moves secrets to the current key", () => {
    const old = new SecretKeyring([K1]);
    const both = new SecretKeyring([K2, K1]);
    const secrets = [generateSecret(), generateSecret()];
    const entries = [
      { sealed: old.seal("sub_a", secrets[0]!), expires_at: null },
      { secret: secrets[1]!, expires_at: 123 },
    ];
    const plain = both.reseal("sub_a", entries, "plain");
    expect(plain).toMatchObject({ resealed: 1, current: 1, unknownKeyIds: [] });
    expect(plain.entries[0]).toBe(entries[0]);
    const all = both.reseal("sub_a", entries, "all");
    expect(all).toMatchObject({ resealed: 2, current: 0 });
    expect(all.entries.map((entry) => both.keyIdOf(entry))).toEqual([K2.id, K2.id]);
    expect(both.openAll("sub_a", all.entries)).toEqual([
      { secret: secrets[0], expires_at: null },
      { secret: secrets[1], expires_at: 123 },
    ]);
    // Under a key that is not configured: left as it is and reported.
    expect(new SecretKeyring([K2]).reseal("sub_a", entries.slice(0, 1), "all")).toMatchObject({ resealed: 0, unknownKeyIds: [K1.id] });
  });

  it("opens a sealed entry once and reuses it; the cache is per subscription and keeps no failure", () => {
    const ring = new SecretKeyring([K1]);
    const secret = generateSecret();
    const entries = [{ sealed: ring.seal("sub_a", secret), expires_at: null }];
    expect(ring.openAll("sub_a", entries)).toEqual([{ secret, expires_at: null }]);
    expect(ring.openAll("sub_a", entries)).toEqual([{ secret, expires_at: null }]);
    // The same sealed form copied to another subscription still fails, every time.
    expect(unsealError(() => ring.openAll("sub_b", entries))).toMatchObject({ subscriptionId: "sub_b", failure: "failed_tag" });
    expect(unsealError(() => ring.openAll("sub_b", entries))).toMatchObject({ subscriptionId: "sub_b", failure: "failed_tag" });
    // A rotation stores a new sealed form (a new IV): it is opened, not confused with the old one.
    const next = generateSecret();
    expect(ring.openAll("sub_a", [{ sealed: ring.seal("sub_a", next), expires_at: null }, { ...entries[0]!, expires_at: 5 }])).toEqual([
      { secret: next, expires_at: null },
      { secret, expires_at: 5 },
    ]);
  });
});

describe("OpenedSecretCache", () => {
  it("opens each (subscription, sealed form) once, passes errors through uncached, and drops the oldest entry past its bound", () => {
    const cache = new OpenedSecretCache(2);
    let opened = 0;
    const open = (value: string) => () => (opened++, value);
    expect(cache.get("sub_a", "s1", open("one"))).toBe("one");
    expect(cache.get("sub_a", "s1", open("other"))).toBe("one");
    expect(opened).toBe(1);
    expect(() => cache.get("sub_a", "bad", () => { throw new Error("no"); })).toThrow("no");
    expect(cache.size).toBe(1);
    cache.get("sub_b", "s1", open("two"));
    cache.get("sub_c", "s1", open("three"));
    expect(cache.size).toBe(2);
    expect(cache.get("sub_a", "s1", open("again"))).toBe("again");
    expect(opened).toBe(4);
  });
});

describe("POSTHORN_SECRET_KEYS", () => {
  it("parses id:base64 entries, the first being the current key", () => {
    const config = loadConfig({ POSTHORN_SECRET_KEYS: ` ${formatSecretKey(K2)} , ${formatSecretKey(K1)}` });
    expect(config.secretKeys?.map((key) => key.id)).toEqual([K2.id, K1.id]);
    expect(new SecretKeyring(config.secretKeys!).currentKeyId).toBe(K2.id);
  });

  it.each([
    ["no colon", "nocolonhere", 'entry 1 has no ":"'],
    ["a bad id", `bad.id:${K1.key.toString("base64")}`, "entry 1: the key id must be 1 to 32"],
    ["a short key", `k1:${K1.key.subarray(0, 16).toString("base64")}`, 'entry 1 (key id "k1"): the key must be base64 of exactly 32 bytes'],
    ["a repeated id", `k1:${K1.key.toString("base64")},k1:${K2.key.toString("base64")}`, 'entry 2 (key id "k1"): the id is used twice'],
  ])("refuses %s, naming the variable and the entry but never the key", (_name, value, problem) => {
    let error: unknown;
    try {
      loadConfig({ POSTHORN_SECRET_KEYS: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain("POSTHORN_SECRET_KEYS (secretKeys)");
    expect(message).toContain(problem);
    expect(message).toContain("(value not shown)");
    for (const part of value.split(/[:,]/)) if (part.length > 8) expect(message).not.toContain(part);
  });

  it("an empty list is a problem", () => {
    expect(parseSecretKeys([]).problems).toHaveLength(1);
  });
});

describe("the embedded key file", () => {
  it("is created once, owner-only, and read back the same", () => {
    const dir = mkdtempSync(join(tmpdir(), "posthorn-keys-"));
    try {
      const { keyring: first, fromFile } = loadSecretKeyring({ databaseUrl: undefined, dataDir: join(dir, "data"), secretKeys: undefined });
      expect(fromFile).toBe(secretKeyFilePath(join(dir, "data")));
      expect(statSync(secretKeyFilePath(join(dir, "data"))).mode & 0o777).toBe(0o600);
      const again = loadOrCreateSecretKeyFile(join(dir, "data"));
      expect(again.map((key) => key.id)).toEqual([first.currentKeyId]);
      const secret = generateSecret();
      expect(new SecretKeyring(again).open("sub_x", first.seal("sub_x", secret))).toBe(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
