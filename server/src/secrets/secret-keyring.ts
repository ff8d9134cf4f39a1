import type { SigningSecret } from "../domain/secret.js";
import type { StoredSecret, StoredSecretEntry } from "../store/schema.js";
import { OpenedSecretCache } from "./opened-secret-cache.js";
import { openSealed, parseSealed, sealSecret, SecretUnsealError } from "./secret-cipher.js";
import type { SecretKey } from "../domain/secret-key.js";

/** What re-sealing one subscription's secrets would change (see `SecretKeyring.reseal`). */
export interface ResealPlan {
  /** The entries to store (the same objects where nothing changes). */
  entries: StoredSecretEntry[];
  /** Entries sealed anew: plain ones, and (scope `all`) ones under another key. */
  resealed: number;
  /** Entries left as they were because they are already under the current key (or, scope `plain`, sealed at all). */
  current: number;
  /** Ids of the keys, not in the keyring, that entries left as they were are sealed under. */
  unknownKeyIds: string[];
}

/**
 * The configured encryption keys of signing secrets: the first seals, every one opens (so a
 * key can be added in front, every secret re-sealed with `posthorn rekey`, and the old key then
 * removed, with servers running throughout). A sealed secret is bound to its subscription id.
 */
export class SecretKeyring {
  readonly #current: SecretKey;
  readonly #byId: ReadonlyMap<string, SecretKey>;
  readonly #opened = new OpenedSecretCache();

  /** @param keys at least one; the first is the current key. */
  constructor(keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new Error("a keyring needs at least one key");
    this.#current = keys[0]!;
    this.#byId = new Map(keys.map((key) => [key.id, key]));
  }

  /** Id of the key new secrets are sealed under. */
  get currentKeyId(): string {
    return this.#current.id;
  }

  /** Every key id, the current one first. */
  get keyIds(): string[] {
    return [...this.#byId.keys()];
  }

  /** `secret` sealed under the current key for subscription `subscriptionId`. */
  seal(subscriptionId: string, secret: string): string {
    return sealSecret(this.#current, subscriptionId, secret);
  }

  /** A new current secret of `subscriptionId`, as stored. */
  sealEntry(subscriptionId: string, secret: string): StoredSecret {
    return { sealed: this.seal(subscriptionId, secret), expires_at: null };
  }

  /**
   * Opens a secret sealed for `subscriptionId`.
   * @throws SecretUnsealError `unknown_key` (its key is not configured), `failed_tag` (wrong key
   *   or subscription, or altered), `malformed`.
   */
  open(subscriptionId: string, sealed: string): string {
    const parts = parseSealed(sealed);
    if (parts === undefined) throw new SecretUnsealError(subscriptionId, undefined, "malformed");
    const key = this.#byId.get(parts.keyId);
    if (key === undefined) throw new SecretUnsealError(subscriptionId, parts.keyId, "unknown_key");
    return openSealed(key, subscriptionId, parts);
  }

  /**
   * A subscription's stored secrets opened for signing, in their order. A plain entry (written
   * by an old version) is taken as it is. Each sealed entry is opened once per process and then
   * taken from a bounded cache (opened-secret-cache.ts): the workers call this for every claimed
   * delivery.
   * @throws SecretUnsealError as `open`, for the first entry that cannot be opened.
   */
  openAll(subscriptionId: string, entries: readonly StoredSecretEntry[]): SigningSecret[] {
    return entries.map((entry) =>
      "sealed" in entry
        ? { secret: this.#opened.get(subscriptionId, entry.sealed, () => this.open(subscriptionId, entry.sealed)), expires_at: entry.expires_at }
        : { secret: entry.secret, expires_at: entry.expires_at },
    );
  }

  /** The key id a sealed entry names, or undefined for a plain or malformed entry. */
  keyIdOf(entry: StoredSecretEntry): string | undefined {
    return "sealed" in entry ? parseSealed(entry.sealed)?.keyId : undefined;
  }

  /**
   * Which of a subscription's entries to seal anew: `plain` seals plain entries only (the
   * upgrade at start); `all` also re-seals entries under any key but the current one
   * (`posthorn rekey`). An entry under a key not in the keyring is left as it is and its key id
   * reported. Opened secrets live only inside this call.
   * @throws SecretUnsealError `failed_tag` or `malformed` for an entry that cannot be opened.
   */
  reseal(subscriptionId: string, entries: readonly StoredSecretEntry[], scope: "plain" | "all"): ResealPlan {
    const plan: ResealPlan = { entries: [], resealed: 0, current: 0, unknownKeyIds: [] };
    for (const entry of entries) {
      if (!("sealed" in entry)) {
        plan.entries.push({ sealed: this.seal(subscriptionId, entry.secret), expires_at: entry.expires_at });
        plan.resealed++;
        continue;
      }
      const keyId = parseSealed(entry.sealed)?.keyId;
      if (scope === "plain" || keyId === this.#current.id) {
        plan.entries.push(entry);
        plan.current++;
      } else if (keyId !== undefined && !this.#byId.has(keyId)) {
        plan.entries.push(entry);
        plan.unknownKeyIds.push(keyId);
      } else {
        plan.entries.push({ sealed: this.seal(subscriptionId, this.open(subscriptionId, entry.sealed)), expires_at: entry.expires_at });
        plan.resealed++;
      }
    }
    return plan;
  }
}
