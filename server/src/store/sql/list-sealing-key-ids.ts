import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The ids of the keys that sealed the stored signing secrets, each once. A sealed entry is
 * `{"sealed": "v1.<key id>.<iv>.<ciphertext+tag>"}` (secrets/secret-cipher.ts), so the key id
 * is its second dot-separated field; read in SQL so that no secret leaves the database for it.
 */
export async function listSealingKeyIds(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ key_id: string }>`
    SELECT DISTINCT split_part(entry->>'sealed', '.', 2) AS key_id
    FROM subscriptions, jsonb_array_elements(secrets) AS entry
    WHERE entry ? 'sealed'`.execute(db);
  return rows.map((row) => row.key_id);
}
