import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ApiKeySchema, AuditRecordSchema } from "@posthorn/proto";
import type { ApiKeyRow, AuditRecordRow } from "../store/rows.js";
import { ROLE_TO_PROTO } from "./proto-enums.js";

/** API key and audit rows to API messages (role values: proto-enums.ts). */

export function apiKeyToProto(row: ApiKeyRow): MessageInitShape<typeof ApiKeySchema> {
  return {
    id: row.id,
    name: row.name,
    role: ROLE_TO_PROTO[row.role],
    customerId: row.customer_id ?? "",
    emitCustomerIds: row.emit_customer_ids,
    keyPrefix: row.key_prefix,
    createTime: timestampFromDate(row.created_at),
    ...(row.expires_at ? { expireTime: timestampFromDate(row.expires_at) } : {}),
    ...(row.last_used_at ? { lastUseTime: timestampFromDate(row.last_used_at) } : {}),
    ...(row.revoked_at ? { revokeTime: timestampFromDate(row.revoked_at) } : {}),
  };
}

export function auditRecordToProto(row: AuditRecordRow): MessageInitShape<typeof AuditRecordSchema> {
  return {
    id: row.id,
    createTime: timestampFromDate(row.created_at),
    keyId: row.key_id,
    keyName: row.key_name,
    role: ROLE_TO_PROTO[row.role],
    customerId: row.customer_id,
    method: row.method,
    targetIds: row.target_ids,
  };
}
