import { mkdtempSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpProbes } from "../../server/src/api/http-probes.js";
import { createPortalFiles, PORTAL_HEADERS } from "../../server/src/api/portal-files.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET (or `method`) `path` exactly as written: no client-side normalization of `..` or `%2e`. */
function raw(address: string, path: string, method = "GET"): Promise<Answer> {
  const at = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const req = request({ host: address.slice(0, at), port: Number(address.slice(at + 1)), path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A plain HTTP server on loopback port 0 running `handle`; resolves with it and its address. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<{ server: Server; address: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe("probes and the portal page on the HTTP listener", () => {
  let t: TestApp;
  let address: string;
  beforeAll(async () => {
    t = await startTestApp("pglite");
    address = t.app.httpAddress ?? "";
  });
  afterAll(() => t.close());

  it("answers /healthz and /readyz without a key, and /readyz 503 while a migration is missing", async () => {
    expect(await raw(address, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect(await raw(address, "/readyz")).toMatchObject({ status: 200, body: "ready\n" });
    const { rows } = await sql<{ version: number; name: string }>`SELECT version, name FROM posthorn_migrations ORDER BY version DESC LIMIT 1`.execute(t.app.store.db);
    const latest = rows[0]!;
    await sql`DELETE FROM posthorn_migrations WHERE version = ${latest.version}`.execute(t.app.store.db);
    try {
      const answer = await raw(address, "/readyz");
      expect(answer.status).toBe(503);
      expect(answer.body).toMatch(/^migrations not applied/);
    } finally {
      await sql`INSERT INTO posthorn_migrations (version, name) VALUES (${latest.version}, ${latest.name})`.execute(t.app.store.db);
    }
    expect((await raw(address, "/readyz")).status).toBe(200);
  });

  it("answers /readyz 503 once the process is stopping", async () => {
    const probes = createHttpProbes(t.app.store);
    const { server, address: probeAddress } = await serve((_req, res) => void probes.readyz(res));
    try {
      expect((await raw(probeAddress, "/readyz")).status).toBe(200);
      probes.stopping();
      expect(await raw(probeAddress, "/readyz")).toMatchObject({ status: 503, body: "shutting down\n" });
    } finally {
      server.close();
    }
  });

  it("serves the built page at /portal/ with its security headers and caching", async () => {
    expect(await raw(address, "/portal")).toMatchObject({ status: 308, headers: { location: "portal/" } });
    const index = await raw(address, "/portal/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toMatch(/^text\/html/);
    expect(index.headers).toMatchObject({ ...PORTAL_HEADERS, "cache-control": "no-store" });
    expect(index.headers["content-security-policy"]).not.toContain("unsafe-inline");
    expect(index.headers["access-control-allow-origin"]).toBeUndefined();
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(asset).toBeDefined();
    const script = await raw(address, `/portal/${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers).toMatchObject({ ...PORTAL_HEADERS, "cache-control": "public, max-age=31536000, immutable" });
    expect((await raw(address, "/portal/", "HEAD")).status).toBe(200);
    expect((await raw(address, "/portal/", "POST")).status).toBe(405);
  });

  it("answers 404 for unknown paths and any way out of the page's folder", async () => {
    for (const path of [
      "/portal/nope.js",
      "/portal/../package.json",
      "/portal/..%2f..%2fpackage.json",
      "/portal/%2e%2e/%2e%2e/package.json",
      "/portal/assets/../../vite.config.ts",
      "/portal//etc/passwd",
      "/portal/.env",
    ]) {
      const answer = await raw(address, path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.headers).toMatchObject(PORTAL_HEADERS);
    }
    expect((await raw(address, "/portaly")).status).toBe(404);
  });

  it("says how to build the page when it is missing", async () => {
    const portal = createPortalFiles(mkdtempSync(join(tmpdir(), "posthorn-no-portal-")));
    const { server, address: bare } = await serve((req, res) => portal(req, res, req.url!.slice("/portal".length)));
    try {
      const answer = await raw(bare, "/portal/");
      expect([answer.status, answer.body]).toEqual([503, "portal not built: run npm run build\n"]);
      expect(answer.headers).toMatchObject(PORTAL_HEADERS);
    } finally {
      server.close();
    }
  });
});
