import type { Kysely } from "kysely";
import { NotFoundError } from "../../domain/errors.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/** The event `id`; throws `NotFoundError` when there is none. */
export async function findEvent(db: Kysely<Database>, id: string): Promise<EventRow> {
  const row = await db.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("event", id);
  return row;
}
