import { randomBytes } from "node:crypto";

/**
 * Encryption keys of signing secrets at rest, as configured: `POSTHORN_SECRET_KEYS` (or the key
 * file `<dataDir>/secret-keys`) holds entries `id:base64-of-32-bytes` separated by commas, e.g.
 * `k2026b:…,k2026a:…`. The first entry encrypts; every entry decrypts (see secret-keyring.ts).
 */

/** One AES-256 key and the id that names it in every secret it sealed. */
export interface SecretKey {
  /** 1–32 of `A–Z a–z 0–9 _ -` (no `.`: it separates the parts of a sealed secret). */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** What a key id may look like. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** A 32-byte key in base64: 43 characters and one `=` (padding optional; the URL-safe alphabet is accepted too). */
const KEY_BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;
const EXAMPLE = "k2026a:<base64 of 32 random bytes> (make one with `posthorn secret-key`)";

/**
 * Parses the entries of a key list (each `id:base64`). Returns the keys, or one problem per bad
 * entry, naming it by position (and by id when the id is valid); never the key material.
 */
export function parseSecretKeys(entries: readonly string[]): { keys: SecretKey[]; problems: string[] } {
  const keys: SecretKey[] = [];
  const problems: string[] = [];
  if (entries.length === 0) problems.push(`no key; expected ${EXAMPLE}`);
  const seen = new Set<string>();
  entries.forEach((raw, index) => {
    const entry = raw.trim();
    const colon = entry.indexOf(":");
    const where = `entry ${index + 1}`;
    if (colon < 0) return problems.push(`${where} has no ":"; expected ${EXAMPLE}`);
    const id = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    if (!KEY_ID_PATTERN.test(id)) return problems.push(`${where}: the key id must be 1 to 32 of A-Z a-z 0-9 _ - (before the ":"); expected ${EXAMPLE}`);
    const named = `${where} (key id "${id}")`;
    if (seen.has(id)) return problems.push(`${named}: the id is used twice; every key needs its own id`);
    seen.add(id);
    if (!KEY_BASE64.test(material)) {
      return problems.push(`${named}: the key must be base64 of exactly 32 bytes (44 characters ending in "="); expected ${EXAMPLE}`);
    }
    keys.push({ id, key: Buffer.from(material, "base64") });
  });
  return { keys, problems };
}

/**
 * A new random key whose id is `k` + the UTC date + 4 random hex digits (`k20261203-9f2c`):
 * readable, sortable by age, and unlikely to clash with another key made the same day.
 */
export function generateSecretKey(now: Date = new Date()): SecretKey {
  const date = now.toISOString().slice(0, 10).replaceAll("-", "");
  return { id: `k${date}-${randomBytes(2).toString("hex")}`, key: randomBytes(32) };
}

/** A key as one `POSTHORN_SECRET_KEYS` entry: `id:base64`. */
export function formatSecretKey(key: SecretKey): string {
  return `${key.id}:${key.key.toString("base64")}`;
}
