# syntax=docker/dockerfile:1
# Posthorn server image: `docker build -t posthorn .`, then e.g.
#   docker run -e DATABASE_URL=postgres://… -e POSTHORN_BOOTSTRAP_ADMIN_KEY=phk_… \
#     -e POSTHORN_SECRET_KEYS=k1:… -e POSTHORN_INSECURE_LISTEN=true -p 127.0.0.1:50051:50051 posthorn
# (or TLS instead of POSTHORN_INSECURE_LISTEN). See README, Operations: "Container image".
#
# The runtime tree (compiled code + production dependencies only) is made by
# scripts/build-runtime-tree.sh; .ci/check-packaging.sh runs the same two steps (npm ci, that
# script) on the same files (.dockerignore applied) and starts the server from the result.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund && bash scripts/build-runtime-tree.sh /src /app

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    POSTHORN_LISTEN_ADDRESS=0.0.0.0:50051 \
    POSTHORN_HTTP_ADDRESS=0.0.0.0:8080 \
    POSTHORN_METRICS_ADDRESS=0.0.0.0:9464 \
    POSTHORN_DATA_DIR=/var/lib/posthorn
WORKDIR /app
COPY --from=build /app /app
# The embedded store (used without DATABASE_URL), its admin.key and the secret-keys file live in
# POSTHORN_DATA_DIR; the server runs as the image's unprivileged `node` user, named by number
# so that Kubernetes' runAsNonRoot can check it.
RUN mkdir -p /var/lib/posthorn && chown 1000:1000 /var/lib/posthorn
VOLUME ["/var/lib/posthorn"]
USER 1000:1000
# gRPC API and the HTTP listener (Connect, /healthz, /readyz, /portal/; both TLS, or plaintext
# with POSTHORN_INSECURE_LISTEN=true) and Prometheus /metrics.
EXPOSE 50051 8080 9464
# Liveness: the metrics listener answers while the process runs (also during a database outage,
# when a restart would not help; readiness is the gRPC health service, grpc.health.v1.Health).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const a=process.env.POSTHORN_METRICS_ADDRESS||'';fetch('http://127.0.0.1:'+a.slice(a.lastIndexOf(':')+1)+'/metrics').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and gets SIGTERM itself: the server's graceful stop needs at most
# POSTHORN_SHUTDOWN_TIMEOUT_MS + 2 s (17 s by default), so stop with `docker stop -t 20` or more.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "server/bin/posthorn.js"]
CMD ["serve"]
