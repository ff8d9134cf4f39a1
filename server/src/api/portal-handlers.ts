import { FailedPreconditionError } from "../domain/errors.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";

/** SendTestEvent and CreatePortalSession (proto `WebhookService`). Not built yet. */
export function portalHandlers(_deps: ApiDeps): Pick<UnaryHandlers, "sendTestEvent" | "createPortalSession"> {
  return {
    sendTestEvent: () => Promise.reject(new FailedPreconditionError("SendTestEvent is not built yet")),
    createPortalSession: () => Promise.reject(new FailedPreconditionError("CreatePortalSession is not built yet")),
  };
}
