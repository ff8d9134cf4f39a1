import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Ordered subscriptions whose queue stalled: deliveries wait for their turn but none is active
 * (ordered-turns.ts). Never so after a committed change by construction, except one case: a
 * delivery claimed before `ordered` was turned on ended, and its outcome did not look for a
 * successor (the claim said "not ordered"). The repair pass (`repairStalledTurns`) finds these.
 * Reads the ordered subscriptions by their partial index, two index probes each (function
 * `posthorn_stalled_turns`, migration 0012: its plans are kept per connection).
 */
export async function findStalledTurns(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM posthorn_stalled_turns() AS t (id)`.execute(db);
  return rows.map((row) => row.id);
}
