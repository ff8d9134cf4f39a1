import { sql, type Kysely } from "kysely";
import { keyset, type Page } from "../page-token.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * What a list read of events loads: `{ envelope: false }` leaves the envelopes out (they come
 * back empty); `{ envelope: true, stopAtBytes }` loads them, but stops before a row whose
 * preceding rows' envelopes already total `stopAtBytes` (a response that shows envelopes
 * cannot fit such a row under that bound), never before the second row. So a page of large
 * events does not load up to `limit + 1` of them only to send a few.
 */
export type EventRead = { envelope: false } | { envelope: true; stopAtBytes: number };

/**
 * Events after the page token's seq, in the page's `seq` order, `limit + 1` rows (see
 * `nextPage`), or fewer (at least 2, when there are) when `read` stopped at its byte bound.
 * Empty filters match all.
 *
 * The byte bound is a running `sum(octet_length(envelope))` window over the keyset scan;
 * `octet_length` of a TOASTed value reads its header, not the value, and the rows left out are
 * never detoasted.
 */
export async function listEvents(
  db: Kysely<Database>,
  filter: { customerId: string; type: string },
  page: Page,
  read: EventRead,
): Promise<EventRow[]> {
  const order = keyset(page);
  const direction = sql.raw(order.direction);
  let scan = db
    .selectFrom("events")
    .select(["seq", "id", "customer_id", "type", "idempotency_key", "created_at", "payload_expired_at"])
    .where("seq", order.op, order.bound as never)
    .orderBy("seq", order.direction)
    .limit(page.limit + 1);
  if (filter.customerId !== "") scan = scan.where("customer_id", "=", filter.customerId);
  if (filter.type !== "") scan = scan.where("type", "=", filter.type);
  if (!read.envelope) {
    const rows = await scan.execute();
    return rows.map((row) => ({ ...row, envelope: new Uint8Array(0) }));
  }
  const sized = scan
    .select([
      "envelope",
      sql<string>`sum(octet_length(envelope)) over (order by seq ${direction}) - octet_length(envelope)`.as("bytes_before"),
      sql<string>`row_number() over (order by seq ${direction})`.as("n"),
    ])
    .as("sized");
  return db
    .selectFrom(sized)
    .select(["seq", "id", "customer_id", "type", "envelope", "idempotency_key", "created_at", "payload_expired_at"])
    .where((eb) => eb.or([eb("n", "<=", sql<string>`2`), eb("bytes_before", "<", sql<string>`${read.stopAtBytes}`)]))
    .orderBy("seq", order.direction)
    .execute();
}
