import { FailedPreconditionError, InvalidArgumentError } from "../domain/errors.js";
import {
  DEFAULT_PORTAL_TTL_SECONDS,
  MAX_PORTAL_TTL_SECONDS,
  MIN_PORTAL_TTL_SECONDS,
  PORTAL_SESSION_KEY_NAME,
} from "../domain/portal-session.js";
import { apiKeyToProto } from "./access-mapping.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { issueApiKey } from "./issue-api-key.js";
import { checkCustomerId } from "./validate.js";

/**
 * CreatePortalSession (proto `WebhookService`; admin only, like Svix's app-portal access): issues
 * an API key with role customer for `customer_id`, named "portal session", that expires
 * `ttl_seconds` from now (the CreateApiKey path, `issueApiKey`), and answers the portal URL
 * `<base>/portal/#key=<key>`: the key rides in the fragment, which browsers never send to a
 * server. `base` is `deps.portalBaseUrl()` (config/public-url.ts). Neither the key nor the URL is
 * logged. The session is an ordinary key: RevokeApiKey ends it.
 * @throws InvalidArgumentError for `customer_id` or `ttl_seconds` (60 to 86400, 0 = 3600);
 *   FailedPreconditionError when there is no portal to link to (HTTP listener off, no public URL).
 */
export function portalSessionHandler(deps: ApiDeps): Pick<UnaryHandlers, "createPortalSession"> {
  const { store, clock } = deps;
  return {
    async createPortalSession(request) {
      const customerId = checkCustomerId("customer_id", request.customerId);
      const ttlSeconds = checkTtlSeconds(request.ttlSeconds);
      const base = deps.portalBaseUrl();
      if (base === undefined) {
        throw new FailedPreconditionError(
          "the HTTP listener is off (POSTHORN_HTTP_ADDRESS=off), so there is no portal to open; turn it on, or set POSTHORN_PUBLIC_URL to where the portal is served",
        );
      }
      const nowMs = clock.nowMs();
      const { row, key } = await issueApiKey(
        store,
        { name: PORTAL_SESSION_KEY_NAME, role: "customer", customerId, emitCustomerIds: [], expiresAt: new Date(nowMs + ttlSeconds * 1000) },
        nowMs,
      );
      return { url: `${base}/portal/#key=${key}`, apiKey: apiKeyToProto(row) };
    },
  };
}

/** `ttl_seconds`: 0 means `DEFAULT_PORTAL_TTL_SECONDS`; else 60 to 86400. @throws InvalidArgumentError */
function checkTtlSeconds(value: number): number {
  if (value === 0) return DEFAULT_PORTAL_TTL_SECONDS;
  if (value < MIN_PORTAL_TTL_SECONDS || value > MAX_PORTAL_TTL_SECONDS) {
    throw new InvalidArgumentError(
      "ttl_seconds",
      `must be ${MIN_PORTAL_TTL_SECONDS} to ${MAX_PORTAL_TTL_SECONDS} seconds (1 minute to 24 hours), or 0 for ${DEFAULT_PORTAL_TTL_SECONDS}; got ${value}`,
    );
  }
  return value;
}
