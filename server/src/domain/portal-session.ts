/**
 * Portal sessions (proto `CreatePortalSession`): a customer key that expires, handed over in a
 * portal URL. Its time to live, in seconds, as the server and the CLI check it.
 */

/** When the request leaves it 0: one hour. */
export const DEFAULT_PORTAL_TTL_SECONDS = 3600;
/** Shortest session: one minute. */
export const MIN_PORTAL_TTL_SECONDS = 60;
/** Longest session: 24 hours. */
export const MAX_PORTAL_TTL_SECONDS = 86_400;

/** Name of every portal session's key, as ListApiKeys shows it. */
export const PORTAL_SESSION_KEY_NAME = "portal session";
