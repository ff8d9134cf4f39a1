import { ApiKeyRole } from "@posthorn/sdk";

/**
 * API key roles as the command line spells them (`admin`, `emitter`, `customer`) and as the
 * API does (`ApiKeyRole`). See the proto's `ApiKeyRole` for what each may do.
 */
export const ROLE_BY_NAME: Readonly<Record<string, ApiKeyRole>> = {
  admin: ApiKeyRole.ADMIN,
  emitter: ApiKeyRole.EMITTER,
  customer: ApiKeyRole.CUSTOMER,
};

/** `admin`, `emitter` or `customer`; `unspecified` for a role this command does not know. */
export function roleName(role: ApiKeyRole): string {
  return Object.entries(ROLE_BY_NAME).find(([, value]) => value === role)?.[0] ?? "unspecified";
}
