import {
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerUnaryCall,
  type ServerWritableStream,
  type StatusObject,
} from "@grpc/grpc-js";

/** The error a failed call was answered with (grpc-js status fields; `requestId` of an INTERNAL answer). */
export type RpcFailure = Partial<StatusObject> & { requestId?: string | undefined };

/** One call as a wrapper follows it. */
export interface CallWatch {
  /** Runs the handler (e.g. inside a span's context); default: runs it as is. */
  around?: (run: () => void) => void;
  /** Called exactly once, when the call's status is known: its code and, when it failed, the error. */
  end(code: status, failure?: RpcFailure): void;
}

/** A grpc-js handler of a unary or a server-streaming method (the API has no client streaming). */
export type RpcHandler = handleUnaryCall<never, unknown> | handleServerStreamingCall<never, unknown>;

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/**
 * Wraps `handler` (unary or server-streaming, per `streaming`) so that `begin` sees each call
 * arrive and learns its status once: for a unary call the error or OK given to the callback; for
 * a stream the status grpc-js sends when it ends (an emitted 'error' is sent, after its 'finish',
 * as the stream's status; OK otherwise), or CANCELLED when the client went away first. Returns a
 * handler of the same shape, which can be wrapped again. The one place that knows how a grpc-js
 * call ends, for the metrics and access log (rpc-observer.ts) and the SERVER span (rpc-tracing.ts).
 */
export function followCalls<H extends RpcHandler>(handler: H, streaming: boolean, begin: (call: AnyCall) => CallWatch): H {
  const watchOf = (call: AnyCall) => {
    const watch = begin(call);
    let ended = false;
    const end = (code: status, failure?: RpcFailure) => {
      if (ended) return;
      ended = true;
      watch.end(code, failure);
    };
    return { run: watch.around ?? ((run: () => void) => run()), end };
  };
  if (!streaming) {
    const unary: handleUnaryCall<unknown, unknown> = (call, callback) => {
      const { run, end } = watchOf(call);
      run(() =>
        (handler as handleUnaryCall<unknown, unknown>)(call, (error, value, trailer, flags) => {
          end(error ? (error.code ?? status.UNKNOWN) : status.OK, error ?? undefined);
          callback(error, value, trailer, flags);
        }),
      );
    };
    return unary as unknown as H;
  }
  const stream: handleServerStreamingCall<unknown, unknown> = (call) => {
    const { run, end } = watchOf(call);
    let failure: RpcFailure | undefined;
    call.on("error", (error: RpcFailure) => (failure ??= error));
    call.on("finish", () => end(failure ? (failure.code ?? status.UNKNOWN) : status.OK, failure));
    call.on("cancelled", () => end(status.CANCELLED));
    run(() => (handler as handleServerStreamingCall<unknown, unknown>)(call));
  };
  return stream as unknown as H;
}
