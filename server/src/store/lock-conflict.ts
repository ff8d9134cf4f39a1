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
