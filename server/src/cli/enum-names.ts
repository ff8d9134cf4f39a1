import type { ApiKeyRole, SignatureScheme } from "@posthorn/sdk";
import type { SignatureSchemeName } from "../domain/signature-scheme.js";
import { ROLE_FROM_PROTO, SCHEME_FROM_PROTO } from "../api/proto-enums.js";

/**
 * How the command line names the API's enums. Roles and delivery states are spelled as the
 * server stores them (domain/api-key-role.ts, delivery-state.ts); a signature scheme is spelled
 * with a hyphen (`standard-webhooks`), as in the `--scheme` flag.
 */

/** `--scheme` spelling of each stored scheme name. */
export const SCHEME_FLAG_NAMES: Readonly<Record<SignatureSchemeName, string>> = {
  v1: "v1",
  standard_webhooks: "standard-webhooks",
};

/** `admin`, `emitter` or `customer`; `unspecified` for a role this command does not know. */
export function roleName(role: ApiKeyRole): string {
  return ROLE_FROM_PROTO[role] ?? "unspecified";
}

/** `v1` or `standard-webhooks`; `v1` (the server's default) when not set or unknown. */
export function schemeFlagName(scheme: SignatureScheme): string {
  return SCHEME_FLAG_NAMES[SCHEME_FROM_PROTO[scheme] ?? "v1"];
}
