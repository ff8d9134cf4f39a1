import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { Socket } from "node:net";
import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { WebhookService } from "@posthorn/proto";
import type { Logger } from "../observability/logger.js";
import type { CertificateMaterial } from "./certificate-files.js";
import { observeConnect } from "./connect-observer.js";
import { checkUnstorableKeys } from "./connect-key-guard.js";
import { PEER, registerWebhookService, UNDECODABLE } from "./connect-service.js";
import type { InvalidArgumentError } from "../domain/errors.js";
import type { ApiDeps } from "./handler-types.js";
import { HttpConnections } from "./http-connections.js";
import { createHttpProbes } from "./http-probes.js";
import type { ListenerCredentials } from "./listener-credentials.js";
import { createPortalFiles } from "./portal-files.js";
import type { RpcPipeline } from "./rpc-pipeline.js";
import { MAX_REQUEST_BYTES } from "./size-limits.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** The running HTTP listener. */
export interface HttpApi {
  /** The bound address, `host:port` (the real port when 0 was asked for). */
  address: string;
  /**
   * Stops within `graceMs` milliseconds: /readyz answers 503, no new connections, open watch
   * streams end (OK), idle keep-alive connections close, calls in flight finish; at `graceMs`
   * every connection still open is closed. Never rejects.
   */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Starts the HTTP listener on `listenAddress` (`host:port`): `WebhookService` over Connect (JSON
 * and binary), gRPC-Web and gRPC at `/posthorn.v1.WebhookService/<Method>` (every call through
 * `pipeline`, as over the gRPC listener), `/healthz` and `/readyz` (http-probes.ts), and the
 * portal page at `/portal/` (portal-files.ts); anything else is 404. Plaintext is HTTP/1.1;
 * with `tls` (the gRPC listener's certificates, reloads followed) HTTP/2 and HTTP/1.1 over TLS,
 * client certificates required in `mtls` mode. No CORS: the page is served from this origin.
 * @throws the listen error (e.g. EADDRINUSE).
 */
export async function startHttpApi(
  pipeline: RpcPipeline,
  deps: Pick<ApiDeps, "store" | "metrics" | "feed">,
  listenAddress: string,
  tls: ListenerCredentials,
  logger: Logger,
): Promise<HttpApi> {
  const probes = createHttpProbes(deps.store);
  /** Requests whose body connect-key-guard.ts refused, for their admission step. */
  const refused = new WeakMap<Request, InvalidArgumentError>();
  const portal = createPortalFiles();
  const connect = connectNodeAdapter({
    routes: (router) => registerWebhookService(router, pipeline, deps.feed),
    // Requests up to 8 MiB, as over gRPC (size-limits.ts); responses are sized by the handlers.
    readMaxBytes: MAX_REQUEST_BYTES,
    // A misspelt JSON field is an error naming it, not a silently empty field.
    jsonOptions: { ignoreUnknownFields: false },
    interceptors: [observeConnect({ metrics: deps.metrics, logger })],
    contextValues: (request) => createContextValues().set(PEER, peerOf(request)).set(UNDECODABLE, refused.get(request)),
    fallback: (_request, response) => plain(response as Response, 404, "not found"),
    // Compressed bodies would pass connect-key-guard.ts unread: refuse them (callers send plain).
    acceptCompression: [],
  });

  const route = (request: Request, response: Response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    const read = request.method === "GET" || request.method === "HEAD";
    if (path === "/healthz" && read) return probes.healthz(response);
    if (path === "/readyz" && read) return void probes.readyz(response);
    if (path === "/portal" && read) {
      // Relative, so that a proxy serving Posthorn under a path prefix keeps it.
      response.writeHead(308, { location: "portal/" });
      return response.end();
    }
    if (path.startsWith("/portal/")) return portal(request, response, (request.url ?? "/").slice("/portal".length));
    const unfit = unfitApiRequest(request, path);
    if (unfit) {
      if (unfit.code === 405) response.setHeader("allow", "POST");
      return plain(response, unfit.code, unfit.text);
    }
    checkUnstorableKeys(request, path).then(
      (checked) => {
        if (checked.problem) refused.set(checked.request, checked.problem);
        // connect-node throws at once on a request it cannot make a URL of (HTTP/1.0 without a
        // Host, a Host with a space): answer it here, or the rejection would end the process.
        try {
          connect(checked.request, response);
        } catch (error) {
          logger.warn({ err: error, peer: peerOf(request) }, "HTTP request refused: not a request the API can read");
          if (!response.headersSent) plain(response, 400, "bad request: a valid Host header is required");
          else response.destroy();
        }
      },
      // The client went away while its body was read: nothing to answer.
      () => response.destroy(),
    );
  };

  const server = tls.certificates
    ? createSecureServer({ allowHTTP1: true, ...secureOptions(tls.certificates.current, tls.mode === "mtls") })
    : createServer();
  tls.certificates?.addIdentityCertificateListener(() => {
    if ("setSecureContext" in server) server.setSecureContext(secureOptions(tls.certificates!.current, tls.mode === "mtls"));
  });
  const connections = new HttpConnections(server);
  server.on("request", (request: Request, response: Response) => {
    const socket = request.httpVersionMajor === 1 ? (request.socket as Socket) : undefined;
    if (socket) {
      connections.started(socket);
      response.once("close", () => connections.finished(socket));
      if (connections.isDraining) response.setHeader("connection", "close");
    }
    try {
      route(request, response);
    } catch (error) {
      logger.error({ err: error, path: request.url }, "HTTP request failed");
      if (!response.headersSent) plain(response, 500, "internal error");
    }
  });

  const at = listenAddress.lastIndexOf(":");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(listenAddress.slice(at + 1)), listenAddress.slice(0, at).replace(/^\[|\]$/g, ""), () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => logger.warn({ err: error }, "HTTP listener error"));
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : 0;

  return {
    address: `${listenAddress.slice(0, at)}:${port}`,
    async shutdown(graceMs) {
      probes.stopping();
      pipeline.watches.stop();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          connections.destroy();
          resolve();
        }, graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        connections.drain();
      });
    },
  };
}

/** The TLS options of the listener for `material`: the certificate, and the client CA in mTLS. */
function secureOptions(material: CertificateMaterial, mtls: boolean) {
  return {
    cert: material.cert,
    key: material.key,
    ...(mtls && material.clientCa ? { ca: material.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

/** The API's paths: `/posthorn.v1.WebhookService/<Method>` (other paths fall through to 404). */
const API_PATHS = new Set(WebhookService.methods.map((method) => `/${WebhookService.typeName}/${method.name}`));
/** Content types of the protocols served: Connect (unary and streaming), gRPC-Web, gRPC. */
const API_CONTENT_TYPE = /^application\/(json|proto|connect\+(json|proto)|grpc(-web)?(\+(json|proto))?)\s*(;|$)/i;

/**
 * Why a request to an API path cannot be a call of any protocol served here, in words a `curl`
 * user can act on (connect-node answers these with an empty body): not POST (405), or a missing
 * or unknown content type (415; `curl -d` sends a form type). Undefined when it may be one.
 */
function unfitApiRequest(request: Request, path: string): { code: 405 | 415; text: string } | undefined {
  if (!API_PATHS.has(path)) return undefined;
  if (request.method !== "POST") return { code: 405, text: `${path} takes POST (Connect: a JSON body with content-type: application/json)` };
  const type = request.headers["content-type"] ?? "";
  if (!API_CONTENT_TYPE.test(type)) {
    return { code: 415, text: `content-type ${type === "" ? "missing" : JSON.stringify(type)}: send application/json (Connect JSON) or application/proto; gRPC-Web and gRPC clients set theirs` };
  }
  return undefined;
}

/** `host:port` of the client. */
function peerOf(request: Request): string {
  const { remoteAddress, remotePort } = request.socket;
  return remoteAddress === undefined ? "" : `${remoteAddress.includes(":") ? `[${remoteAddress}]` : remoteAddress}:${remotePort}`;
}

/** A short plain-text answer. */
function plain(response: Response, code: number, text: string): void {
  response.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
  response.end(`${text}\n`);
}
