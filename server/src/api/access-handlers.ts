import type { ApiDeps, UnaryHandlers } from "./handler-types.js";

type AccessHandlers = Pick<UnaryHandlers, "createApiKey" | "listApiKeys" | "revokeApiKey" | "listAuditRecords">;

/** API keys and the audit log (placeholder until the access layer lands). */
export function accessHandlers(_deps: ApiDeps): AccessHandlers {
  const unimplemented = () => Promise.reject(new Error("not implemented yet"));
  return { createApiKey: unimplemented, listApiKeys: unimplemented, revokeApiKey: unimplemented, listAuditRecords: unimplemented };
}
