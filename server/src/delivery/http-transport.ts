/**
 * The default transport: one HTTP POST per attempt over undici, with the contract's limits.
 *
 * - One `Agent` (a connection pool per origin, keep-alive) shared by all deliveries, or one
 *   `ProxyAgent` when an egress proxy is configured (the proxy then checks addresses).
 * - Direct mode pins each new connection to an address the guard checked (`lookup` hook, no
 *   second lookup) and re-checks the address the socket actually connected to.
 * - One deadline per attempt (contract: 10 s for the whole exchange) through an `AbortSignal`
 *   that covers queueing, connect, TLS, request, headers and body; the caller's `signal`
 *   (shutdown) aborts the same way and is recorded as `shutdown`.
 * - Redirects are not followed (contract); undici's dispatcher never follows them unless a
 *   redirect interceptor is installed, and none is.
 * - At most `maxResponseBytes` (64 KiB) of a body are read, then the stream (and the connection)
 *   is destroyed; the first `excerptBytes` (4 KiB) are kept as the excerpt.
 */
import { Agent, ProxyAgent, buildConnector, type Dispatcher } from "undici";
import type { AddressGuard } from "./address-guard.js";
import { BlockedAddressError } from "./address-guard.js";
import { classifyNetworkError, describeNetworkError } from "./classify-network-error.js";
import type { AttemptOutcome, Transport, TransportRequest } from "./transport.js";

export interface HttpTransportOptions {
  /** Address policy; in direct mode also the name resolver (see `createAddressGuard({ resolver })`). */
  addressGuard: AddressGuard;
  /** Egress proxy URL (`http://proxy:3128`); when set, every delivery is tunnelled through it. */
  proxyUrl?: string;
  /** Bytes of a response body read at most before the connection is dropped. Default 65536. */
  maxResponseBytes?: number;
  /** Bytes of the body kept as the excerpt. Default 4096. */
  excerptBytes?: number;
  /**
   * Connections per origin. Default 16. Requests beyond it wait in undici's queue, and that wait
   * counts toward the attempt deadline, so keep per-endpoint concurrency at or below it.
   */
  connectionsPerOrigin?: number;
  /** Idle keep-alive time of a pooled connection, ms. Default 4000 (undici's default). */
  keepAliveTimeoutMs?: number;
}

const MAX_LOCATION_CHARS = 2048;
const MAX_RETRY_AFTER_CHARS = 256;

/** Creates the undici-backed transport. Call `close()` on shutdown. */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const guard = options.addressGuard;
  const maxResponseBytes = options.maxResponseBytes ?? 65536;
  const excerptBytes = Math.min(options.excerptBytes ?? 4096, maxResponseBytes);
  const poolOptions = {
    connections: options.connectionsPerOrigin ?? 16,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
    // The per-attempt AbortSignal is the only deadline; undici's own timers would cut it short.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  const dispatcher: Dispatcher = options.proxyUrl === undefined
    ? new Agent({ ...poolOptions, connect: guardedConnector(guard) })
    : new ProxyAgent({ ...poolOptions, uri: options.proxyUrl });

  async function send(request: TransportRequest): Promise<AttemptOutcome> {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);

    // Literal hosts never reach DNS (net.connect skips `lookup` for IPs): refuse them here, in both
    // modes and on every attempt.
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return { errorKind: "other", errorMessage: "invalid URL", responseExcerpt: "", durationMs: elapsed() };
    }
    const hostCheck = guard.checkUrlHost(url);
    if (!hostCheck.ok) {
      return { errorKind: "blocked_address", errorMessage: hostCheck.reason, responseExcerpt: "", durationMs: elapsed() };
    }

    if (request.signal?.aborted) return shutdownOutcome({ durationMs: elapsed(), responseExcerpt: "" });
    // Whichever comes first — the deadline or the caller's shutdown signal — names the outcome.
    const controller = new AbortController();
    let abortedBy: "timeout" | "shutdown" | undefined;
    const abort = (reason: "timeout" | "shutdown") => {
      if (abortedBy !== undefined) return;
      abortedBy = reason;
      controller.abort();
    };
    const timer = setTimeout(() => abort("timeout"), request.deadlineMs);
    const onShutdown = () => abort("shutdown");
    request.signal?.addEventListener("abort", onShutdown, { once: true });

    let statusCode: number | undefined;
    let location: string | undefined;
    let retryAfter: string | undefined;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let readBytes = 0;
    let truncated = false;
    try {
      const response = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
      });
      statusCode = response.statusCode;
      if (statusCode >= 300 && statusCode <= 399) location = headerValue(response.headers.location, MAX_LOCATION_CHARS);
      retryAfter = headerValue(response.headers["retry-after"], MAX_RETRY_AFTER_CHARS);

      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        readBytes += chunk.length;
        if (keptBytes < excerptBytes) {
          const part = chunk.length <= excerptBytes - keptBytes ? chunk : chunk.subarray(0, excerptBytes - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
        if (readBytes >= maxResponseBytes) {
          // Leaving the loop destroys the body; undici then closes the connection mid-response.
          truncated = true;
          break;
        }
      }
      return {
        statusCode,
        responseExcerpt: excerpt(kept, keptBytes, readBytes > keptBytes),
        ...(truncated || readBytes > keptBytes ? { responseTruncated: true } : {}),
        ...(location !== undefined ? { location } : {}),
        ...(retryAfter !== undefined ? { retryAfter } : {}),
        durationMs: elapsed(),
      };
    } catch (err) {
      const partial: AttemptOutcome = {
        ...(statusCode !== undefined ? { statusCode } : {}),
        responseExcerpt: excerpt(kept, keptBytes, readBytes > keptBytes),
        ...(readBytes > keptBytes ? { responseTruncated: true } : {}),
        ...(location !== undefined ? { location } : {}),
        ...(retryAfter !== undefined ? { retryAfter } : {}),
        durationMs: elapsed(),
      };
      if (abortedBy === "shutdown") return shutdownOutcome(partial);
      if (abortedBy === "timeout") return { ...partial, errorKind: "timeout", errorMessage: `deadline of ${request.deadlineMs} ms exceeded` };
      return { ...partial, errorKind: classifyNetworkError(err), errorMessage: describeNetworkError(err) };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onShutdown);
    }
  }

  return {
    send,
    close: () => dispatcher.close(),
  };
}

/** The outcome of an attempt the server aborted because it is shutting down. */
export function shutdownOutcome(partial: AttemptOutcome): AttemptOutcome {
  return { ...partial, errorKind: "shutdown", errorMessage: "attempt aborted: the server is shutting down" };
}

/**
 * undici connector that resolves through the guard (pinning the socket to the checked address)
 * and refuses a socket whose remote address is not allowed — the latter catches any path that
 * bypassed `lookup`, such as a literal IP host.
 */
function guardedConnector(guard: AddressGuard): buildConnector.connector {
  const connect = buildConnector({ lookup: guard.lookup } as buildConnector.BuildOptions);
  return (opts, callback) => {
    connect(opts, (err, socket) => {
      if (err !== null) {
        callback(err, null);
        return;
      }
      const remote = socket.remoteAddress;
      if (remote === undefined || !guard.isAllowedAddress(remote)) {
        socket.destroy();
        callback(new BlockedAddressError(`connected address ${remote ?? "(unknown)"} is not allowed`), null);
        return;
      }
      callback(null, socket);
    });
  };
}

function headerValue(value: string | string[] | undefined, maxChars: number): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.slice(0, maxChars);
}

/**
 * UTF-8 text of the kept bytes, invalid sequences as U+FFFD. When the body went on past the
 * excerpt, a character cut in two at the end is dropped rather than shown as U+FFFD.
 */
function excerpt(kept: Buffer[], keptBytes: number, cut: boolean): string {
  if (keptBytes === 0) return "";
  const bytes = kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept, keptBytes);
  return (cut ? bytes.subarray(0, completeUtf8Length(bytes)) : bytes).toString("utf8");
}

/** Length of the longest prefix of `bytes` that does not end inside a multi-byte UTF-8 sequence. */
function completeUtf8Length(bytes: Buffer): number {
  const n = bytes.length;
  // Look back at most 3 bytes for the lead byte of the last sequence.
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need > n ? i : n;
  }
  return n;
}
