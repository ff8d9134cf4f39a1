import { InvalidArgumentError } from "../domain/errors.js";
import { nextPage, readPage } from "../store/page-token.js";
import { listApiKeys } from "../store/sql/list-api-keys.js";
import { revokeApiKey } from "../store/sql/revoke-api-key.js";
import { listAuditRecords } from "../store/sql/list-audit-records.js";
import { issueApiKey } from "./issue-api-key.js";
import { apiKeyToProto, auditRecordToProto } from "./access-mapping.js";
import { ROLE_FROM_PROTO } from "./proto-enums.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { checkCustomerId, checkCustomerIdFilter, checkId, checkName, checkTimestamp } from "./validate.js";
import { transactionRetryingConflicts } from "../store/lock-conflict.js";

type AccessHandlers = Pick<UnaryHandlers, "createApiKey" | "listApiKeys" | "revokeApiKey" | "listAuditRecords">;

/** At most this many customers on an emitter key (proto CreateApiKeyRequest.emit_customer_ids). */
export const MAX_EMIT_CUSTOMERS = 100;

/** API key management and the audit log (admin keys only; see auth/access-rules.ts). */
export function accessHandlers(deps: ApiDeps): AccessHandlers {
  const { store, clock } = deps;
  return {
    async createApiKey(request) {
      const name = checkName("name", request.name);
      const role = ROLE_FROM_PROTO[request.role];
      if (role === undefined) throw new InvalidArgumentError("role", "is required: API_KEY_ROLE_ADMIN, API_KEY_ROLE_EMITTER or API_KEY_ROLE_CUSTOMER");
      let customerId: string | null = null;
      if (role === "customer") customerId = checkCustomerId("customer_id", request.customerId);
      else if (request.customerId !== "") throw new InvalidArgumentError("customer_id", `must be empty for role ${role} (only customer keys are bound to a customer)`);
      if (role !== "emitter" && request.emitCustomerIds.length > 0) {
        throw new InvalidArgumentError("emit_customer_ids", `must be empty for role ${role} (only emitter keys are limited to customers)`);
      }
      if (request.emitCustomerIds.length > MAX_EMIT_CUSTOMERS) {
        throw new InvalidArgumentError("emit_customer_ids", `must list at most ${MAX_EMIT_CUSTOMERS} customers, got ${request.emitCustomerIds.length}`);
      }
      const emitCustomerIds = [...new Set(request.emitCustomerIds.map((id, i) => checkCustomerId(`emit_customer_ids[${i}]`, id)))];
      const nowMs = clock.nowMs();
      let expiresAt: Date | null = null;
      if (request.expireTime) {
        expiresAt = checkTimestamp("expire_time", request.expireTime);
        if (expiresAt.getTime() <= nowMs) throw new InvalidArgumentError("expire_time", `must be in the future (now is ${new Date(nowMs).toISOString()})`);
      }
      const { row, key } = await issueApiKey(store, { name, role, customerId, emitCustomerIds, expiresAt }, nowMs);
      return { apiKey: apiKeyToProto(row), key };
    },

    async listApiKeys(request) {
      const page = readPage("keys", request.pageSize, request.pageToken);
      const rows = await listApiKeys(store.db, { showRevoked: request.showRevoked }, page);
      const { rows: shown, nextPageToken } = nextPage(rows, page);
      return { apiKeys: shown.map(apiKeyToProto), nextPageToken };
    },

    async revokeApiKey(request) {
      const id = checkId("id", request.id, "apiKey");
      const row = await transactionRetryingConflicts(store.db, (trx) => revokeApiKey(trx, id, new Date(clock.nowMs())));
      return { apiKey: apiKeyToProto(row) };
    },

    async listAuditRecords(request) {
      const page = readPage("audit", request.pageSize, request.pageToken, true);
      const rows = await listAuditRecords(store.db, { customerId: checkCustomerIdFilter("customer_id", request.customerId) }, page);
      const { rows: shown, nextPageToken } = nextPage(rows, page);
      return { records: shown.map(auditRecordToProto), nextPageToken };
    },
  };
}
