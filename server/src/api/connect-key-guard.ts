import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import type { InvalidArgumentError } from "../domain/errors.js";
import { unstorableKeyPathInJson } from "./json-key-check.js";
import { UNSTORABLE_KEY, unstorableKeyPath } from "./proto-key-check.js";
import { unstorableKeyError } from "./request-decoding.js";
import { MAX_REQUEST_BYTES } from "./size-limits.js";

type Request = IncomingMessage | Http2ServerRequest;

const RPCS: Readonly<Record<string, "Emit" | "EmitBatch">> = {
  "/posthorn.v1.WebhookService/Emit": "Emit",
  "/posthorn.v1.WebhookService/EmitBatch": "EmitBatch",
};
const MARKER = Buffer.from(UNSTORABLE_KEY);

/**
 * Over gRPC a `__proto__` key in an Emit's `data` is refused INVALID_ARGUMENT (request-decoding.ts)
 * because decoding would drop it silently; connect-node decodes before any of our code sees the
 * request, so this reads the body of a Connect unary Emit or EmitBatch (JSON or binary,
 * uncompressed, within the 8 MiB limit) first and looks for the key. Returns the request to hand
 * to connect-node (a view of `request` that replays the body read) and the error for the call's
 * admission step, which refuses it after the key check, as over gRPC. Other requests pass as they
 * are: gRPC-Web and oversize bodies are not checked; compressed ones are refused by the listener
 * itself (http-server.ts accepts no compression), so none reaches a handler unread.
 */
export async function checkUnstorableKeys(request: Request, path: string): Promise<{ request: Request; problem?: InvalidArgumentError }> {
  const rpc = RPCS[path];
  const type = String(request.headers["content-type"] ?? "").split(";")[0]!.trim();
  const checked = type === "application/json" || type === "application/proto";
  if (rpc === undefined || request.method !== "POST" || !checked || request.headers["content-encoding"] !== undefined) return { request };
  const source = (request as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size <= MAX_REQUEST_BYTES) {
    const next = await source.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.length;
  }
  const replay = Object.create(request, {
    [Symbol.asyncIterator]: {
      value: async function* () {
        yield* chunks;
        if (done) return;
        for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
      },
    },
  }) as Request;
  const body = Buffer.concat(chunks);
  if (!done || body.indexOf(MARKER) < 0) return { request: replay };
  const keyPath = type === "application/json" ? jsonKeyPath(rpc, body) : binaryKeyPath(rpc, body);
  return keyPath === undefined ? { request: replay } : { request: replay, problem: unstorableKeyError(keyPath) };
}

/** The key's path in a JSON body; undefined when it is not JSON (connect-node then says so). */
function jsonKeyPath(rpc: "Emit" | "EmitBatch", body: Buffer): string | undefined {
  try {
    return unstorableKeyPathInJson(rpc, JSON.parse(body.toString("utf8")));
  } catch {
    return undefined;
  }
}

/** The key's path in a binary body; undefined when it does not decode (connect-node then says so). */
function binaryKeyPath(rpc: "Emit" | "EmitBatch", body: Buffer): string | undefined {
  try {
    return unstorableKeyPath(rpc, body);
  } catch {
    return undefined;
  }
}
