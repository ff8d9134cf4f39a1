import { create, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextKey, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { WatchDeliveriesResponseSchema, WebhookService, type WatchDeliveriesRequest, type WatchDeliveriesResponse } from "@posthorn/proto";
import type { MethodName } from "../auth/access-rules.js";
import type { AttemptFeed } from "../feed/attempt-feed.js";
import { toConnectError } from "./connect-errors.js";
import { toGrpcError } from "./grpc-status.js";
import { MessageQueue } from "./message-queue.js";
import { attemptToProto, deliveryToProto } from "./proto-mapping.js";
import type { CallSource, RpcPipeline } from "./rpc-pipeline.js";
import type { OpenWatch } from "./watch-registry.js";

/** The client's `host:port`, set per request by the HTTP listener (http-server.ts). */
export const PEER = createContextKey<string>("");

/**
 * Attempt outcomes a WatchDeliveries stream over Connect may hold unsent (its client reads too
 * slowly, e.g. over a slow link); one more ends the stream RESOURCE_EXHAUSTED and the client
 * watches again. grpc-js buffers without a bound; an HTTP stream is easier to stall.
 */
export const WATCH_BACKLOG_LIMIT = 10_000;

/**
 * Registers `WebhookService` on `router`: each method goes through `pipeline` (rpc-pipeline.ts),
 * the same one the gRPC server uses; only the transport differs. Errors become ConnectErrors with
 * the gRPC answer's code and message (connect-errors.ts). WatchDeliveries is a server stream fed
 * by `feed`; it ends on shutdown (`pipeline.watches.stop()`), when the client goes away, and
 * UNAUTHENTICATED when its key stops working, as over gRPC.
 */
export function registerWebhookService(router: ConnectRouter, pipeline: RpcPipeline, feed: AttemptFeed): void {
  const sourceOf = (context: HandlerContext): CallSource => ({
    authorization: headerValues(context.requestHeader, "authorization"),
    peer: context.values.get(PEER),
    call: context.values,
  });
  const implementation: Record<string, unknown> = {};
  for (const name of pipeline.unaryNames) {
    const method = WebhookService.method[name];
    implementation[name] = async (request: unknown, context: HandlerContext): Promise<Message> => {
      try {
        return await pipeline.unary(name, request, sourceOf(context));
      } catch (error) {
        throw toConnectError(pipeline.failure(error, method.name));
      }
    };
  }
  implementation["watchDeliveries" satisfies MethodName] = (request: WatchDeliveriesRequest, context: HandlerContext) =>
    watch(pipeline, feed, request, context, sourceOf(context));
  router.service(WebhookService, implementation);
}

/** One WatchDeliveries stream over Connect: its checks, then matching attempt outcomes as they happen. */
async function* watch(
  pipeline: RpcPipeline,
  feed: AttemptFeed,
  request: WatchDeliveriesRequest,
  context: HandlerContext,
  source: CallSource,
): AsyncGenerator<WatchDeliveriesResponse> {
  let admitted;
  try {
    admitted = await pipeline.admitWatch(request, source);
  } catch (error) {
    throw toConnectError(pipeline.failure(error, "WatchDeliveries"));
  }
  const { caller, filter } = admitted;
  const queue = new MessageQueue<WatchDeliveriesResponse>(
    WATCH_BACKLOG_LIMIT,
    () => new ConnectError(`the client read too slowly (over ${WATCH_BACKLOG_LIMIT} attempts waiting); watch again`, Code.ResourceExhausted),
  );
  const open: OpenWatch = {
    caller,
    peer: () => source.peer,
    end: (refusal) => queue.close(refusal ? toConnectError(toGrpcError(refusal)) : undefined),
  };
  if (context.signal.aborted || !pipeline.watches.add(open)) return;
  const unsubscribe = feed.subscribe(({ delivery, attempt }) => {
    if (filter(delivery)) queue.push(create(WatchDeliveriesResponseSchema, { delivery: deliveryToProto(delivery), attempt: attemptToProto(attempt) }));
  });
  // The client went away (or the call's deadline passed): stop waiting for attempts.
  const onAbort = () => queue.close();
  context.signal.addEventListener("abort", onAbort);
  try {
    yield* queue;
  } finally {
    context.signal.removeEventListener("abort", onAbort);
    unsubscribe();
    pipeline.watches.remove(open);
  }
}

/** Every value of header `name` (Fetch API `Headers` joins repeated ones with ", "; a bearer token has neither). */
function headerValues(headers: Headers, name: string): string[] {
  const joined = headers.get(name);
  return joined === null ? [] : joined.split(",").map((value) => value.trim());
}
