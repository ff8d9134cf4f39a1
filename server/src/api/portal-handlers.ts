import { FailedPreconditionError } from "../domain/errors.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";

/** SendTestEvent, CreatePortalSession and GetSubscriptionSecret (proto `WebhookService`). Not built yet. */
export function portalHandlers(_deps: ApiDeps): Pick<UnaryHandlers, "sendTestEvent" | "createPortalSession" | "getSubscriptionSecret"> {
  return {
    sendTestEvent: () => Promise.reject(new FailedPreconditionError("SendTestEvent is not built yet")),
    getSubscriptionSecret: () => Promise.reject(new FailedPreconditionError("GetSubscriptionSecret is not built yet")),
    createPortalSession: () => Promise.reject(new FailedPreconditionError("CreatePortalSession is not built yet")),
  };
}
