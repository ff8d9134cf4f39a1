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
import { WatchDeliveriesResponseSchema, WebhookService, type WatchDeliveriesRequest } from "@posthorn/proto";
import type { MethodName } from "../auth/access-rules.js";
import type { Logger } from "../observability/logger.js";
import { toGrpcError } from "./grpc-status.js";
import type { ApiDeps } from "./handler-types.js";
import { addHealthAndReflection } from "./health-and-reflection.js";
import { attemptToProto, deliveryToProto } from "./proto-mapping.js";
import { serverDefinitionOf } from "./request-decoding.js";
import { observeRpc, rpcMethodOf } from "./rpc-observer.js";
import type { CallSource, RpcPipeline } from "./rpc-pipeline.js";
import { tracedService } from "./rpc-tracing.js";
import { MAX_REQUEST_BYTES } from "./size-limits.js";
import type { OpenWatch } from "./watch-registry.js";

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
 * Starts the gRPC server on `listenAddress` (`host:port`) with `credentials` (plaintext, TLS or
 * mTLS: see listener-credentials.ts): `posthorn.v1.WebhookService`, the standard health service
 * (`grpc.health.v1.Health`) and server reflection (v1 and v1alpha), so `grpcurl`/`buf curl` can
 * list and call methods. All three share the one listener and its credentials. Every call goes
 * through `pipeline` (rpc-pipeline.ts), as over Connect; this file is grpc-js's side only.
 */
export async function startGrpcApi(
  pipeline: RpcPipeline,
  deps: Pick<ApiDeps, "store" | "metrics" | "feed">,
  listenAddress: string,
  credentials: ServerCredentials,
  logger: Logger,
): Promise<GrpcApi> {
  const implementation: UntypedServiceImplementation = {};
  const sourceOf = (call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): CallSource => ({
    authorization: call.metadata.get("authorization").map((value) => (typeof value === "string" ? value : "")),
    peer: call.getPeer(),
    call,
  });

  /** Metrics and the access log around every handler (rpc-observer.ts). */
  const observed = <H extends Parameters<typeof observeRpc>[1]>(name: MethodName, handler: H): H =>
    observeRpc(rpcMethodOf(WebhookService.method[name]), handler, { metrics: deps.metrics, logger });

  for (const name of pipeline.unaryNames) {
    const method = WebhookService.method[name];
    implementation[name] = observed(name, (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      pipeline.unary(name, call.request, sourceOf(call)).then(
        (response) => callback(null, response),
        (error: unknown) => callback(pipeline.failure(error, method.name)),
      );
    });
  }

  implementation.watchDeliveries = observed("watchDeliveries", (call: ServerWritableStream<WatchDeliveriesRequest, unknown>) => {
    watch(call).catch((error: unknown) => {
      try {
        call.emit("error", pipeline.failure(error, "WatchDeliveries"));
      } catch {
        // The client went away meanwhile.
      }
    });
  });
  /** WatchDeliveries: checks the caller and the filters, then streams matching attempt outcomes. */
  const watch = async (call: ServerWritableStream<WatchDeliveriesRequest, unknown>) => {
    const { caller, filter } = await pipeline.admitWatch(call.request, sourceOf(call));
    const open: OpenWatch = {
      caller,
      peer: () => safePeer(call),
      end: (refusal) => {
        try {
          if (refusal) call.emit("error", toGrpcError(refusal));
          else call.end();
        } catch {
          // The client went away meanwhile: nothing to end.
        }
      },
    };
    if (call.cancelled || !pipeline.watches.add(open)) {
      call.end();
      return;
    }
    const unsubscribe = deps.feed.subscribe(({ delivery, attempt }) => {
      if (!filter(delivery)) return;
      call.write(create(WatchDeliveriesResponseSchema, { delivery: deliveryToProto(delivery), attempt: attemptToProto(attempt) }));
    });
    const stop = () => {
      unsubscribe();
      pipeline.watches.remove(open);
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

  return {
    address: `${host}:${port}`,
    async shutdown(graceMs = 5000) {
      // A database coming back during the stop must not flip health back to SERVING.
      stopFollowingDatabase();
      health.setStatus("", "NOT_SERVING");
      health.setStatus(WebhookService.typeName, "NOT_SERVING");
      // Ends the open watches of both transports (an HTTP listener's shutdown does the same).
      pipeline.watches.stop();
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

/** The call's peer address; "" once the connection is gone (grpc-js may throw then). */
function safePeer(call: { getPeer(): string }): string {
  try {
    return call.getPeer();
  } catch {
    return "";
  }
}
