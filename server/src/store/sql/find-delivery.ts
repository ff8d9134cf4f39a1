import type { Kysely } from "kysely";
import { NotFoundError } from "../../domain/errors.js";
import type { DeliveryWithAttempts } from "../rows.js";
import type { Database } from "../schema.js";
import { withAttempts } from "./load-attempts.js";

/** The delivery `id` with its attempts; throws `NotFoundError` when there is none. */
export async function findDelivery(db: Kysely<Database>, id: string): Promise<DeliveryWithAttempts> {
  const row = await db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("delivery", id);
  return (await withAttempts(db, [row]))[0]!;
}
