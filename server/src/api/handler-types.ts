import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { WebhookService } from "@posthorn/proto";
import type { AuditLog } from "../auth/audit-log.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import type { EventCatalog } from "../domain/compiled-catalog.js";
import type { AttemptFeed } from "../feed/attempt-feed.js";
import type { Store } from "../store/database.js";
import type { LocalHandoff } from "../store/delivery-handoff.js";
import type { Scope } from "../store/scope.js";
import type { Metrics } from "../observability/metrics.js";
import type { SecretKeyring } from "../secrets/secret-keyring.js";

type Methods = (typeof WebhookService)["method"];

/**
 * A unary handler: the request message and the caller's scope in (a customer's key sees only its
 * customer's objects; see store/scope.ts), the response message's init shape out. Throws domain
 * errors.
 */
export type UnaryHandlers = {
  [K in keyof Methods as Methods[K]["methodKind"] extends "unary" ? K : never]: Methods[K] extends {
    input: infer I extends DescMessage;
    output: infer O extends DescMessage;
  }
    ? (request: MessageShape<I>, scope: Scope) => Promise<MessageInitShape<O>>
    : never;
};

/** What the handlers need; built once at start and passed down. */
export interface ApiDeps {
  store: Store;
  config: Config;
  clock: Clock;
  /** The accepted event types with their schemas, compiled from config at start. */
  catalog: EventCatalog;
  /** The address guard's literal-host check: a reason when the URL's host is refused. */
  hostRefusal: (url: URL) => string | undefined;
  /** Called after a commit that made deliveries due: wakes workers here and elsewhere. */
  deliveriesDue: () => void;
  /**
   * Opens a handoff of new deliveries to this process's workers for one Emit transaction
   * (store/delivery-handoff.ts); undefined when no workers run here or they take nothing now.
   */
  handoff: () => LocalHandoff | undefined;
  /** Attempt outcomes as they happen, for WatchDeliveries. */
  feed: AttemptFeed;
  metrics: Metrics;
  /** Who calls (API keys). */
  authenticator: Authenticator;
  /** Where calls that change state are recorded. */
  auditLog: AuditLog;
  /** Seals signing secrets before they are stored, and opens them for GetSubscriptionSecret. */
  keyring: SecretKeyring;
  /**
   * The base URL of portal links (`<base>/portal/#key=…`), no trailing slash, asked at each
   * CreatePortalSession (the HTTP listener's port is known only once it is bound); undefined
   * when there is no portal (see config/public-url.ts).
   */
  portalBaseUrl: () => string | undefined;
}
