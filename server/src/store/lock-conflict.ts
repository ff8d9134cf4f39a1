import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/**
 * PostgreSQL aborted the transaction to resolve a conflict between concurrent transactions:
 * `40P01 deadlock_detected` (two transactions waited for each other's locks; one is rolled back
 * after `deadlock_timeout`) or `40001 serialization_failure`. The whole transaction was rolled
 * back, so running it again is safe and is what PostgreSQL's documentation asks of clients
 * ("Serialization Failure Handling", PostgreSQL 15 §13.4). Any other error: false.
 */
export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40P01" || code === "40001";
}

/** Times a transaction is run again after PostgreSQL aborted it for a lock conflict. */
const MAX_CONFLICT_RERUNS = 3;

/**
 * Runs `work` in one transaction of `db`, as `db.transaction().execute(work)`; when PostgreSQL
 * aborted it for a lock conflict (`isLockConflict`: everything it did was rolled back), runs it
 * again, at most 3 more times, then throws the conflict. `work` must be safe to run again: only
 * statements in `trx`, nothing done outside the database. For the API's writes that lock a
 * subscription and its deliveries, which a concurrent batch of recorded attempts or another
 * call can meet in another order (rows of one subscription updated by two statements).
 */
export async function transactionRetryingConflicts<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let reruns = 0; ; reruns++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (!isLockConflict(error) || reruns >= MAX_CONFLICT_RERUNS) throw error;
    }
  }
}
