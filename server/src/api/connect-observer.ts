import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import { status } from "@grpc/grpc-js";
import { requestIdOf } from "./connect-errors.js";
import { PEER } from "./connect-service.js";
import { recordRpc, rpcMethodOf, type RpcObserverDeps, type RpcRecord } from "./rpc-observer.js";

/**
 * A Connect interceptor that records every call as the gRPC server does (rpc-observer.ts
 * `recordRpc`): the same metric families and labels (`grpc_server_*`, so a dashboard sums both
 * transports) and the same `"rpc"` access-log line, with `protocol` (`connect`, `grpc-web` or
 * `grpc`) added. A unary call ends when its answer is known; a stream when its last message was
 * sent (OK), with its error, or CANCELLED when the client went away first.
 */
export function observeConnect(deps: RpcObserverDeps): Interceptor {
  return (next) => async (request) => {
    const peer = request.contextValues.get(PEER);
    const record = recordRpc(rpcMethodOf(request.method), deps, request.contextValues, () => peer, { protocol: protocolOf(request.header) });
    let response;
    try {
      response = await next(request);
    } catch (error) {
      end(record, error);
      throw error;
    }
    if (!response.stream) {
      record.end(status.OK);
      return response;
    }
    return { ...response, message: followStream(response, record, request.signal) };
  };
}

/** `response`'s messages, ending `record` when the stream ends. */
async function* followStream(response: StreamResponse, record: RpcRecord, signal: AbortSignal): AsyncGenerator<never> {
  let ended = false;
  try {
    for await (const message of response.message) yield message as never;
    ended = true;
    record.end(signal.aborted ? Code.Canceled : status.OK);
  } catch (error) {
    ended = true;
    end(record, error);
    throw error;
  } finally {
    // The reader stopped early: the client is gone (connect-node returns the iterator then).
    if (!ended) record.end(Code.Canceled);
  }
}

/** Ends `record` with `error`'s code (a client that went away is CANCELLED in connect-node). */
function end(record: RpcRecord, error: unknown): void {
  const connectError = ConnectError.from(error);
  record.end(connectError.code, { code: connectError.code as number, details: connectError.rawMessage, requestId: requestIdOf(connectError) });
}

/** Which of the three protocols a request speaks, from its content type. */
function protocolOf(header: Headers): string {
  const type = header.get("content-type") ?? "";
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  return "connect";
}
