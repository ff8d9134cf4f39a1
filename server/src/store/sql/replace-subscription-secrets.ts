import { sql, type Kysely } from "kysely";
import type { Database, StoredSecretEntry } from "../schema.js";

/**
 * Compare-and-set of a subscription's secrets: writes `next` only if the row still holds
 * `expected` (jsonb equality), so a RotateSubscriptionSecret committed meanwhile is never
 * overwritten. `updated_at` is left alone: re-sealing changes nothing a caller sees. Returns
 * whether the row was written.
 */
export async function replaceSubscriptionSecrets(
  db: Kysely<Database>,
  id: string,
  expected: readonly StoredSecretEntry[],
  next: readonly StoredSecretEntry[],
): Promise<boolean> {
  const result = await sql`
    UPDATE subscriptions SET secrets = ${JSON.stringify(next)}::jsonb
    WHERE id = ${id} AND secrets = ${JSON.stringify(expected)}::jsonb`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
