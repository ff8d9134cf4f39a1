import { generateApiKey, hashApiKey, keyPrefix } from "../domain/api-key.js";
import type { ApiKeyRoleName } from "../domain/api-key-role.js";
import { newId } from "../domain/ids.js";
import type { Store } from "../store/database.js";
import type { ApiKeyRow } from "../store/rows.js";
import { insertApiKey } from "../store/sql/insert-api-key.js";

/** A valid new key's fields (checked by the caller). */
export interface ApiKeyFields {
  name: string;
  role: ApiKeyRoleName;
  /** Role customer: its customer; null otherwise. */
  customerId: string | null;
  /** Role emitter: the only customers it may emit for; empty means any. */
  emitCustomerIds: string[];
  /** When it stops working; null means never. */
  expiresAt: Date | null;
}

/**
 * Issues an API key: a fresh random key (`phk_…`, domain/api-key.ts) of which only the SHA-256
 * hash and the first characters are stored, created at `nowMs` (epoch ms). The one path of
 * CreateApiKey and CreatePortalSession. Returns the stored row and the key itself, which exists
 * only in this answer: callers must never log it.
 */
export async function issueApiKey(store: Store, fields: ApiKeyFields, nowMs: number): Promise<{ row: ApiKeyRow; key: string }> {
  const key = generateApiKey();
  const row = await insertApiKey(store.db, {
    id: newId("apiKey"),
    key_hash: hashApiKey(key),
    key_prefix: keyPrefix(key),
    name: fields.name,
    role: fields.role,
    customer_id: fields.customerId,
    emit_customer_ids: fields.emitCustomerIds,
    created_at: new Date(nowMs),
    expires_at: fields.expiresAt,
    last_used_at: null,
    revoked_at: null,
  });
  return { row, key };
}
