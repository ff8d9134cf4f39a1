import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Ordered subscriptions whose queue stalled: deliveries wait for their turn but none is active
 * (ordered-turns.ts). Never so after a committed change by construction, except one case: a
 * delivery claimed before `ordered` was turned on ended, and its outcome did not look for a
 * successor (the claim said "not ordered"). The repair pass (`repairStalledTurns`) finds these.
 * Reads the ordered subscriptions by their partial index, two index probes each.
 */
export async function findStalledTurns(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT s.id FROM subscriptions s
    WHERE s.ordered AND s.deleted_at IS NULL
      AND EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending' AND d.next_attempt_at IS NULL)
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending' AND d.next_attempt_at IS NOT NULL)`.execute(db);
  return rows.map((row) => row.id);
}
