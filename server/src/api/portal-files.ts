import { statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { fileURLToPath } from "node:url";
import sirv from "sirv";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/**
 * Where `npm run build` puts the portal page (portal/dist): the same relative place from the
 * sources (server/src/api) and the compiled server (server/dist/api), in a checkout and in the
 * runtime tree (scripts/build-runtime-tree.sh copies every workspace's dist/).
 */
export const PORTAL_DIST = fileURLToPath(new URL("../../../portal/dist/", import.meta.url));

/**
 * Headers of every response under /portal/. The page loads only its own script and style files
 * (no inline code, no third party), talks only to this origin (the API over Connect), and is
 * never framed; no referrer leaves it (a session key lives in the URL fragment, which browsers
 * never send, but the page's URL is still nobody else's business).
 */
export const PORTAL_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

/** Vite's hashed files: their names change with their content, so they may be cached for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Serves the built portal page from `dir` for requests under `/portal/` (`path` is the rest,
 * from its `/`): GET and HEAD only, known files only (sirv lists the folder once and serves
 * from that list, so no path can reach outside it), index.html for `/`, `Cache-Control: no-store`
 * on index.html and long immutable caching on `/assets/*`, and `PORTAL_HEADERS` on every answer.
 * Unknown paths answer 404; a missing build answers 503 "portal not built: run npm run build".
 * A rebuild is seen on the next request (index.html's change time is checked on each one).
 */
export function createPortalFiles(dir = PORTAL_DIST): (request: Request, response: Response, path: string) => void {
  let served: { changed: number; handler: ReturnType<typeof sirv> } | undefined;
  const handlerNow = () => {
    let changed: number;
    try {
      changed = statSync(`${dir}/index.html`).ctimeMs;
    } catch {
      return undefined;
    }
    if (served?.changed !== changed) {
      const handler = sirv(dir, {
        etag: false,
        dotfiles: false,
        setHeaders: (response, pathname) => response.setHeader("cache-control", pathname.startsWith("/assets/") ? IMMUTABLE : "no-store"),
        onNoMatch: (_request, response) => plain(response, 404, "not found"),
      });
      served = { changed, handler };
    }
    return served.handler;
  };
  return (request, response, path) => {
    for (const [name, value] of Object.entries(PORTAL_HEADERS)) response.setHeader(name, value);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      return plain(response, 405, "method not allowed");
    }
    const handler = handlerNow();
    if (!handler) return plain(response, 503, "portal not built: run npm run build");
    request.url = path;
    handler(request as IncomingMessage, response as ServerResponse);
  };
}

/** A short plain-text answer that no cache keeps. */
function plain(response: Response, code: number, text: string): void {
  response.setHeader("cache-control", "no-store");
  response.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
  response.end(`${text}\n`);
}
