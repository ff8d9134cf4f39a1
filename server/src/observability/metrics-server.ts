import { createServer } from "node:http";
import type { Registry } from "prom-client";

export interface MetricsServer {
  address: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (Prometheus text format) of `registry` on `listenAddress` (`host:port`). */
export async function startMetricsServer(metrics: { registry: Registry }, listenAddress: string): Promise<MetricsServer> {
  const at = listenAddress.lastIndexOf(":");
  const host = listenAddress.slice(0, at).replace(/^\[|\]$/g, "");
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404).end("not found; metrics are at /metrics\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(String(error.message)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(listenAddress.slice(at + 1)), host, resolve);
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : 0;
  return {
    address: `${listenAddress.slice(0, at)}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
