import type { Kysely } from "kysely";
import { NotFoundError } from "../../domain/errors.js";
import type { DeliveryWithAttempts } from "../rows.js";
import { lookupById } from "../partitions.js";
import type { Database } from "../schema.js";
import { ALL_CUSTOMERS, type Scope } from "../scope.js";
import { withAttempts } from "./load-attempts.js";

/** The delivery `id` (of `scope.customerId`, when set) with its attempts; throws `NotFoundError` when there is none. */
export async function findDelivery(db: Kysely<Database>, id: string, scope: Scope = ALL_CUSTOMERS): Promise<DeliveryWithAttempts> {
  const row = await lookupById(id, (day) => {
    let query = db.selectFrom("deliveries").selectAll().where("id", "=", id);
    if (day) query = query.where("created_at", ">=", day.from).where("created_at", "<", day.to);
    if (scope.customerId !== undefined) query = query.where("customer_id", "=", scope.customerId);
    return query.executeTakeFirst();
  });
  if (!row) throw new NotFoundError("delivery", id);
  return (await withAttempts(db, [row]))[0]!;
}
