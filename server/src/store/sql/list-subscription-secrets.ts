import { sql, type Kysely } from "kysely";
import type { Database, StoredSecretEntry } from "../schema.js";

/** A subscription's id and stored secrets, and its position for the next page. */
export interface SubscriptionSecrets {
  seq: string;
  id: string;
  secrets: StoredSecretEntry[];
}

/**
 * Up to `limit` subscriptions after position `afterSeq` (`"0"` for the first page), deleted ones
 * included, in `seq` order, with their stored secrets. With `plainOnly`, only those holding a
 * secret in plain text (written before encryption at rest).
 */
export async function listSubscriptionSecrets(
  db: Kysely<Database>,
  afterSeq: string,
  limit: number,
  plainOnly: boolean,
): Promise<SubscriptionSecrets[]> {
  const plain = sql<boolean>`EXISTS (SELECT 1 FROM jsonb_array_elements(secrets) AS entry WHERE entry ->> 'secret' IS NOT NULL)`;
  const { rows } = await sql<SubscriptionSecrets>`
    SELECT seq::text AS seq, id, secrets FROM subscriptions
    WHERE seq > ${afterSeq}::bigint AND (${!plainOnly} OR ${plain})
    ORDER BY seq
    LIMIT ${limit}`.execute(db);
  return rows;
}
