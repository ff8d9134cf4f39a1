import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { WebhookService } from "@posthorn/proto/schema";
import { apiBaseUrl } from "./api-base-url.js";

/** The Posthorn API over Connect (JSON), as the page's session key. */
export type Api = Client<typeof WebhookService>;

/**
 * A client for the API on the page's own origin (the server serves both the page and the
 * Connect API on its HTTP listener), sending `authorization: Bearer <key>` on every call.
 */
export function createApi(key: string): Api {
  const bearer: Interceptor = (next) => (request) => {
    request.header.set("authorization", `Bearer ${key}`);
    return next(request);
  };
  const transport = createConnectTransport({ baseUrl: apiBaseUrl(window.location.origin, window.location.pathname), useBinaryFormat: false, interceptors: [bearer] });
  return createClient(WebhookService, transport);
}
