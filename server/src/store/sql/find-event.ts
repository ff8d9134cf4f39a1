import type { Kysely } from "kysely";
import { NotFoundError } from "../../domain/errors.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";
import { ALL_CUSTOMERS, type Scope } from "../scope.js";

/** The event `id` (of `scope.customerId`, when set); throws `NotFoundError` when there is none. */
export async function findEvent(db: Kysely<Database>, id: string, scope: Scope = ALL_CUSTOMERS): Promise<EventRow> {
  let query = db.selectFrom("events").selectAll().where("id", "=", id);
  if (scope.customerId !== undefined) query = query.where("customer_id", "=", scope.customerId);
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError("event", id);
  return row;
}
