/**
 * What an API key may do, as stored and as the CLI spells it; the API's `ApiKeyRole` enum maps
 * to these in api/proto-enums.ts, and auth/access-rules.ts says which role may call what.
 * - `admin`: every method, API key management and the audit log included;
 * - `emitter`: emit events, for every customer or only some, and list the event types;
 * - `customer`: one customer's subscriptions, events and deliveries (proto `ApiKeyRole`).
 */
export const API_KEY_ROLES = ["admin", "emitter", "customer"] as const;

export type ApiKeyRoleName = (typeof API_KEY_ROLES)[number];
