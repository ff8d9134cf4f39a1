import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { WebhookService } from "@posthorn/proto";

/** The API over the HTTP listener at `address` (`host:port`, plaintext). */
export type ConnectClient = Client<typeof WebhookService>;

/**
 * A connect-node client of the HTTP listener at `address` calling with `key` (`authorization:
 * Bearer …`; none when undefined): Connect JSON over HTTP/1.1 by default, or `binary` Connect,
 * or gRPC-Web (`grpc-web`), as a browser or `buf curl` would call it.
 */
export function connectClient(address: string, key: string | undefined, protocol: "json" | "binary" | "grpc-web" = "json"): ConnectClient {
  const withKey: Interceptor = (next) => (request) => {
    if (key !== undefined) request.header.set("authorization", `Bearer ${key}`);
    return next(request);
  };
  const options = { baseUrl: `http://${address}`, httpVersion: "1.1" as const, interceptors: [withKey] };
  const transport =
    protocol === "grpc-web" ? createGrpcWebTransport(options) : createConnectTransport({ ...options, useBinaryFormat: protocol === "binary" });
  return createClient(WebhookService, transport);
}
