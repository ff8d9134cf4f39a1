import { create } from "@bufbuild/protobuf";
import {
  Metadata,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import {
  WatchDeliveriesResponseSchema,
  WebhookService,
  type WatchDeliveriesRequest,
} from "@posthorn/proto";
import type { Logger } from "../observability/logger.js";
import { DatabaseUnavailableError } from "../store/availability.js";
import { accessHandlers } from "./access-handlers.js";
import { deliveryHandlers } from "./delivery-handlers.js";
import { eventHandlers } from "./event-handlers.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { ACCESS_RULES, checkRole, type AccessRule, type AuditLookups, type MethodName } from "../auth/access-rules.js";
import { scopeOf, type Caller } from "../auth/caller.js";
import { customerOfSubscription } from "../store/sql/customer-of-subscription.js";
import type { Scope } from "../store/scope.js";
import { toGrpcError, type GrpcError } from "./grpc-status.js";
import { addHealthAndReflection } from "./health-and-reflection.js";
import { attemptToProto, deliveryToProto } from "./proto-mapping.js";
import { serverDefinitionOf, undecodableRequest } from "./request-decoding.js";
import { MAX_REQUEST_BYTES } from "./size-limits.js";
import { tracedService } from "./rpc-tracing.js";
import { noteCaller, observeRpc, rpcMethodOf } from "./rpc-observer.js";
import { portalHandlers } from "./portal-handlers.js";
import { subscriptionHandlers } from "./subscription-handlers.js";
import { checkCustomerIdFilter, checkIdFilter } from "./validate.js";

export interface GrpcApi {
  /** The bound address, `host:port` (the real port when 0 was asked for). */
  address: string;
  /**
   * Stops the API within `graceMs` milliseconds (default 5000): marks the service NOT_SERVING,
   * stops accepting connections, ends watch streams and waits for calls in flight; at `graceMs`
   * it closes every connection (calls still running end CANCELLED) and resolves without waiting
   * any longer. Never rejects.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * How often (ms) the keys of open WatchDeliveries streams are looked up again by default: a
 * stream whose key was revoked (in any process) or has expired ends UNAUTHENTICATED within
 * about this long. A revocation made through this process ends its streams at once.
 */
export const DEFAULT_WATCH_KEY_CHECK_MS = 10_000;

/**
 * Starts the gRPC server on `listenAddress` (`host:port`) with `credentials` (plaintext, TLS or
 * mTLS: see listener-credentials.ts): `posthorn.v1.WebhookService`, the standard health service
 * (`grpc.health.v1.Health`) and server reflection (v1 and v1alpha), so `grpcurl`/`buf curl` can
 * list and call methods. All three share the one listener and its credentials.
 * `watchKeyCheckMs`: see `DEFAULT_WATCH_KEY_CHECK_MS`.
 */
export async function startGrpcApi(
  deps: ApiDeps,
  listenAddress: string,
  credentials: ServerCredentials,
  logger: Logger,
  watchKeyCheckMs = DEFAULT_WATCH_KEY_CHECK_MS,
): Promise<GrpcApi> {
  const handlers: UnaryHandlers = {
    ...eventHandlers(deps),
    ...subscriptionHandlers(deps),
    ...deliveryHandlers(deps),
    ...accessHandlers(deps),
    ...portalHandlers(deps),
  };
  const implementation: UntypedServiceImplementation = {};
  const { authenticator, auditLog } = deps;
  const lookups: AuditLookups = { customerOfSubscription: (id) => customerOfSubscription(deps.store.db, id) };

  /**
   * The checks every call passes first, unary or stream: who calls (the key), whether the request
   * could be decoded, whether the key's role may call the method. Returns the caller and the rule.
   */
  const admit = async (name: MethodName, call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>) => {
    const methodName = WebhookService.method[name].name;
    const caller = await authenticator.authenticate(call.metadata, methodName, call.getPeer());
    noteCaller(call, caller);
    const undecodable = undecodableRequest(call.request);
    if (undecodable) {
      logger.warn({ method: methodName, reason: undecodable.reason }, "request could not be decoded");
      throw undecodable;
    }
    const rule = ACCESS_RULES[name] as AccessRule<MethodName>;
    checkRole(rule, caller, methodName);
    return { caller, rule };
  };

  /** One unary call after its checks (`admit`), in the caller's scope; then the handler and the audit record. */
  const serveUnary = async (name: MethodName, call: ServerUnaryCall<unknown, unknown>): Promise<unknown> => {
    const method = WebhookService.method[name];
    const { caller, rule } = await admit(name, call);
    const narrowed = rule.narrow ? rule.narrow(call.request as never, caller) : { request: call.request };
    if ("answer" in narrowed) return create(method.output, narrowed.answer as never);
    const handler = handlers[name as keyof UnaryHandlers] as (request: unknown, scope: Scope) => Promise<object>;
    const response = create(method.output, (await handler(narrowed.request, scopeOf(caller))) as never);
    if (rule.audit) await auditLog.record(caller, method.name, await rule.audit(narrowed.request as never, response as never, lookups));
    // A key revoked here stops watching now, not at the next periodic check.
    if (name === "revokeApiKey") void checkStreamKeys();
    return response;
  };

  /** Metrics and the access log around every handler (rpc-observer.ts). */
  const observed = <H extends Parameters<typeof observeRpc>[1]>(name: MethodName, handler: H): H =>
    observeRpc(rpcMethodOf(WebhookService.method[name]), handler, { metrics: deps.metrics, logger });

  for (const name of Object.keys(handlers) as MethodName[]) {
    const method = WebhookService.method[name];
    implementation[name] = observed(name, (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      // While the database is known to be unreachable, answer at once rather than after a
      // connect timeout (callers with short deadlines would see DEADLINE_EXCEEDED instead).
      if (!deps.store.availability.up) {
        callback(toGrpcError(new DatabaseUnavailableError()));
        return;
      }
      serveUnary(name, call).then(
        (response) => callback(null, response),
        (error: unknown) => {
          deps.store.availability.reportFailure(error);
          callback(logIfInternal(toGrpcError(error), error, method.name, logger));
        },
      );
    });
  }

  /** Open WatchDeliveries streams and who opened them. */
  const streams = new Map<ServerWritableStream<WatchDeliveriesRequest, unknown>, Caller>();
  let stopping = false;
  /**
   * Ends every open stream whose key no longer works (revoked, expired, gone) with its
   * UNAUTHENTICATED error: a stream authenticates once, at its start, so its key is looked up
   * again here, every `watchKeyCheckMs` and after each RevokeApiKey. Never rejects: while the
   * database cannot answer, streams stay open until a later check can.
   */
  const checkStreamKeys = async (): Promise<void> => {
    if (streams.size === 0) return;
    try {
      const refused = await authenticator.refusals([...streams.values()].map((caller) => caller.keyId));
      for (const [stream, caller] of streams) {
        const refusal = refused.get(caller.keyId);
        if (!refusal) continue;
        streams.delete(stream);
        logger.warn({ reason: refusal.reason, key_id: caller.keyId, peer: stream.getPeer() }, "watch ended: its API key no longer works");
        try {
          stream.emit("error", toGrpcError(refusal));
        } catch {
          // The client went away meanwhile.
        }
      }
    } catch (error) {
      deps.store.availability.reportFailure(error);
      logger.warn({ err: error }, "could not check the API keys of open watches; checking again later");
    }
  };
  implementation.watchDeliveries = observed("watchDeliveries", (call: ServerWritableStream<WatchDeliveriesRequest, unknown>) => {
    watch(call).catch((error: unknown) => {
      deps.store.availability.reportFailure(error);
      try {
        call.emit("error", logIfInternal(toGrpcError(error), error, "WatchDeliveries", logger));
      } catch {
        // The client went away meanwhile.
      }
    });
  });
  /** WatchDeliveries: checks the caller and the filters, then streams matching attempt outcomes. */
  const watch = async (call: ServerWritableStream<WatchDeliveriesRequest, unknown>) => {
    if (!deps.store.availability.up) throw new DatabaseUnavailableError();
    const { caller } = await admit("watchDeliveries", call);
    const requested = checkCustomerIdFilter("customer_id", call.request.customerId);
    const subscriptionId = checkIdFilter("subscription_id", call.request.subscriptionId, "subscription");
    // A customer key watches its own customer only; asking for another one watches nothing.
    const own = scopeOf(caller).customerId;
    const customerId = own ?? requested;
    const nothing = own !== undefined && requested !== "" && requested !== own;
    if (stopping || call.cancelled) {
      call.end();
      return;
    }
    streams.set(call, caller);
    const unsubscribe = deps.feed.subscribe(({ delivery, attempt }) => {
      if (nothing) return;
      if (customerId !== "" && delivery.customer_id !== customerId) return;
      if (subscriptionId !== "" && delivery.subscription_id !== subscriptionId) return;
      call.write(create(WatchDeliveriesResponseSchema, { delivery: deliveryToProto(delivery), attempt: attemptToProto(attempt) }));
    });
    const stop = () => {
      unsubscribe();
      streams.delete(call);
    };
    call.on("cancelled", stop);
    call.on("close", stop);
    call.on("error", stop);
    // Headers now tell the client the watch is live: every attempt recorded from here on is sent.
    call.sendMetadata(new Metadata());
  };

  // Requests up to 8 MiB (proto "Sizes"): an EmitBatch's 4 MiB of data plus its Struct encoding.
  const server = new Server({ "grpc.max_receive_message_length": MAX_REQUEST_BYTES });
  const definition = serverDefinitionOf(WebhookService);
  // Tracing outermost, so the access log written inside carries the RPC span's trace id.
  server.addService(definition, tracedService(definition, implementation));
  // Shutdown's NOT_SERVING should win over a later "database back": call stopFollowingDatabase there (see shutdown()).
  const { health, stopFollowingDatabase } = addHealthAndReflection(server, deps.store.availability);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listenAddress, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const host = listenAddress.slice(0, listenAddress.lastIndexOf(":"));
  const keyCheckTimer = setInterval(() => void checkStreamKeys(), watchKeyCheckMs);
  keyCheckTimer.unref();

  return {
    address: `${host}:${port}`,
    async shutdown(graceMs = 5000) {
      // A database coming back during the stop must not flip health back to SERVING.
      stopFollowingDatabase();
      stopping = true;
      clearInterval(keyCheckTimer);
      health.setStatus("", "NOT_SERVING");
      health.setStatus(WebhookService.typeName, "NOT_SERVING");
      for (const stream of streams.keys()) {
        try {
          stream.end();
        } catch {
          // The client went away meanwhile: nothing to end.
        }
      }
      await new Promise<void>((resolve) => {
        // tryShutdown's callback waits for every HTTP/2 session's "close"; a session the client
        // dropped while it was being closed never emits it (Node ignores close() on a destroyed
        // session), and forceShutdown does not call it either. So the bound resolves by itself.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

/**
 * Logs an INTERNAL answer's cause with its request id and the method (the caller sees only the
 * id), and returns the error to answer with.
 */
function logIfInternal(grpcError: GrpcError, cause: unknown, method: string, logger: Logger): GrpcError {
  if (grpcError.internal) logger.error({ err: cause, method, requestId: grpcError.requestId }, "request failed");
  return grpcError;
}
