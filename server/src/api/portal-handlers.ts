import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { portalSessionHandler } from "./portal-session-handler.js";
import { subscriptionSecretHandler } from "./subscription-secret-handler.js";
import { testEventHandler } from "./test-event-handler.js";

/**
 * The RPCs the customer portal adds (proto `WebhookService`): SendTestEvent
 * (test-event-handler.ts), GetSubscriptionSecret (subscription-secret-handler.ts) and
 * CreatePortalSession (portal-session-handler.ts).
 */
export function portalHandlers(deps: ApiDeps): Pick<UnaryHandlers, "sendTestEvent" | "createPortalSession" | "getSubscriptionSecret"> {
  return { ...testEventHandler(deps), ...subscriptionSecretHandler(deps), ...portalSessionHandler(deps) };
}
