import { create, type Message } from "@bufbuild/protobuf";
import { WebhookService, type WatchDeliveriesRequest } from "@posthorn/proto";
import { ACCESS_RULES, checkRole, type AccessRule, type AuditLookups, type MethodName } from "../auth/access-rules.js";
import { scopeOf, type Caller } from "../auth/caller.js";
import type { InvalidArgumentError } from "../domain/errors.js";
import type { Logger } from "../observability/logger.js";
import { DatabaseUnavailableError } from "../store/availability.js";
import type { Scope } from "../store/scope.js";
import { customerOfSubscription } from "../store/sql/customer-of-subscription.js";
import { accessHandlers } from "./access-handlers.js";
import { deliveryHandlers } from "./delivery-handlers.js";
import { eventHandlers } from "./event-handlers.js";
import { toGrpcError, type GrpcError } from "./grpc-status.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { portalHandlers } from "./portal-handlers.js";
import { storageHandlers } from "./storage-handlers.js";
import { undecodableRequest } from "./request-decoding.js";
import { noteCaller } from "./rpc-observer.js";
import { subscriptionHandlers } from "./subscription-handlers.js";
import { watchFilterOf, type WatchFilter } from "./watch-filter.js";
import { WatchRegistry } from "./watch-registry.js";

/** What a transport tells the pipeline about one call. */
export interface CallSource {
  /** Every `authorization` value the call carries (gRPC metadata or HTTP header). */
  authorization: readonly string[];
  /** The client's address, for the log. */
  peer: string;
  /** The object the access log keys this call by (see rpc-observer.ts `noteCaller`). */
  call: object;
  /** Why the request's bytes are refused, when the transport found out before decoding (connect-key-guard.ts). */
  undecodable?: InvalidArgumentError | undefined;
}

/**
 * The transport-neutral half of the API: what every call of `WebhookService` goes through, over
 * gRPC (grpc-server.ts) and over Connect (connect-service.ts) alike. Its errors are domain
 * errors; `failure` turns one into the answer both transports send.
 */
export interface RpcPipeline {
  /** The unary methods, by their local names (`emit`, `listDeliveries`, …). */
  readonly unaryNames: readonly MethodName[];
  /**
   * One unary call: the database shortcut (UNAVAILABLE at once while it is known to be down),
   * the key, an undecodable request, the role (ACCESS_RULES), narrowing to the caller's scope,
   * the handler, and the audit record. Resolves with the response message.
   * @throws domain errors (to be mapped by `failure`).
   */
  unary(name: MethodName, request: unknown, source: CallSource): Promise<Message>;
  /**
   * A WatchDeliveries call's checks (database, key, role, filters); resolves with its caller and
   * which attempt outcomes it gets. The transport then registers the stream in `watches`.
   * @throws domain errors.
   */
  admitWatch(request: WatchDeliveriesRequest, source: CallSource): Promise<{ caller: Caller; filter: WatchFilter }>;
  /**
   * The answer for a failed call of `method` (e.g. `Emit`): reports a database failure to the
   * availability monitor, maps the error (grpc-status.ts) and logs an INTERNAL one's cause with
   * its request id.
   */
  failure(error: unknown, method: string): GrpcError;
  /** The open WatchDeliveries streams of both transports. */
  readonly watches: WatchRegistry;
}

/**
 * The pipeline over `deps`' handlers. `watchKeyCheckMs`: how often open watches' keys are looked
 * up again (see `DEFAULT_WATCH_KEY_CHECK_MS`). Call `watches.stop()` at shutdown.
 */
export function createRpcPipeline(deps: ApiDeps, logger: Logger, watchKeyCheckMs: number): RpcPipeline {
  const handlers: UnaryHandlers = {
    ...eventHandlers(deps),
    ...subscriptionHandlers(deps),
    ...deliveryHandlers(deps),
    ...accessHandlers(deps),
    ...portalHandlers(deps),
    ...storageHandlers(deps),
  };
  const { authenticator, auditLog, store } = deps;
  const lookups: AuditLookups = { customerOfSubscription: (id) => customerOfSubscription(store.db, id) };
  const watches = new WatchRegistry({ authenticator, availability: store.availability, logger }, watchKeyCheckMs);

  /** The checks every call passes first: the key, a request that could be decoded, the role. */
  const admit = async (name: MethodName, request: unknown, source: CallSource) => {
    const methodName = WebhookService.method[name].name;
    const caller = await authenticator.authenticate(source.authorization, methodName, source.peer);
    noteCaller(source.call, caller);
    const undecodable = source.undecodable ?? undecodableRequest(request);
    if (undecodable) {
      logger.warn({ method: methodName, reason: undecodable.reason }, "request could not be decoded");
      throw undecodable;
    }
    const rule = ACCESS_RULES[name] as AccessRule<MethodName>;
    checkRole(rule, caller, methodName);
    return { caller, rule };
  };

  return {
    unaryNames: Object.keys(handlers) as MethodName[],
    watches,
    async unary(name, request, source) {
      // While the database is known to be unreachable, answer at once rather than after a
      // connect timeout (callers with short deadlines would see DEADLINE_EXCEEDED instead).
      if (!store.availability.up) throw new DatabaseUnavailableError();
      const method = WebhookService.method[name];
      const { caller, rule } = await admit(name, request, source);
      const narrowed = rule.narrow ? rule.narrow(request as never, caller) : { request };
      if ("answer" in narrowed) return create(method.output, narrowed.answer as never);
      const handler = handlers[name as keyof UnaryHandlers] as (request: unknown, scope: Scope) => Promise<object>;
      const response = create(method.output, (await handler(narrowed.request, scopeOf(caller))) as never);
      const target = rule.audit ? await rule.audit(narrowed.request as never, response as never, lookups) : undefined;
      if (target) await auditLog.record(caller, method.name, target);
      // A key revoked here stops watching now, not at the next periodic check.
      if (name === "revokeApiKey") void watches.check();
      return response;
    },
    async admitWatch(request, source) {
      if (!store.availability.up) throw new DatabaseUnavailableError();
      const { caller } = await admit("watchDeliveries", request, source);
      return { caller, filter: watchFilterOf(request, caller) };
    },
    failure(error, method) {
      store.availability.reportFailure(error);
      const answer = toGrpcError(error);
      if (answer.internal) logger.error({ err: error, method, requestId: answer.requestId }, "request failed");
      return answer;
    },
  };
}
