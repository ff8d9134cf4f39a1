import type { Clock } from "../domain/clock.js";
import { newId } from "../domain/ids.js";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import { insertAuditRecord } from "../store/sql/insert-audit-record.js";
import type { AuditTarget } from "./access-rules.js";
import type { Caller } from "./caller.js";

/** Records calls that changed state: a row in `audit_records` (ListAuditRecords) and a log line. */
export interface AuditLog {
  /**
   * Records that `caller` called `method` (proto name, e.g. `DeleteSubscription`) and changed
   * `target`. Runs after the change committed; never rejects: a record that cannot be stored is
   * logged at error level with every field (the log line is written either way).
   */
  record(caller: Caller, method: string, target: AuditTarget): Promise<void>;
}

export function createAuditLog(deps: { store: Store; clock: Clock; logger: Logger }): AuditLog {
  const { store, clock, logger } = deps;
  return {
    async record(caller, method, target) {
      const row = {
        id: newId("auditRecord"),
        created_at: new Date(clock.nowMs()),
        key_id: caller.keyId,
        key_name: caller.keyName,
        role: caller.role,
        customer_id: target.customerId,
        method,
        target_ids: target.targetIds,
      };
      const fields = { audit_id: row.id, key_id: row.key_id, key_name: row.key_name, role: row.role, customer_id: row.customer_id, method, target_ids: row.target_ids };
      logger.info(fields, "audit");
      try {
        await insertAuditRecord(store.db, row);
      } catch (error) {
        logger.error({ ...fields, err: error }, "audit record could not be stored; this line is its only record");
      }
    },
  };
}
