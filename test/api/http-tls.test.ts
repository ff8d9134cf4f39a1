import { copyFileSync, mkdtempSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { WebhookService } from "@posthorn/proto";
import { parseConfig } from "../../server/src/config/load-config.js";
import { makeTestCertificates, type TestCertificates } from "../helpers/test-certificates.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

interface TlsFiles {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** The event types over Connect on HTTP/2 over TLS, trusting `tls.ca` and showing the client certificate if given. */
async function listTypesOverH2(address: string, tls: TlsFiles): Promise<string[]> {
  const transport = createConnectTransport({
    baseUrl: `https://${address}`,
    httpVersion: "2",
    nodeOptions: tls,
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${TEST_ADMIN_KEY}`);
        return next(req);
      },
    ],
  });
  return (await createClient(WebhookService, transport).listEventTypes({})).eventTypes;
}

/** `GET path` over HTTP/1.1 with TLS; resolves with the status, or rejects with the handshake's error. */
function getOverH1(address: string, path: string, tls: TlsFiles): Promise<number> {
  const at = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const req = request({ host: address.slice(0, at), port: Number(address.slice(at + 1)), path, ...tls, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

describe("the HTTP listener with TLS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", { tlsCertFile: certs.serverCertFile, tlsKeyFile: certs.serverKeyFile });
  });
  afterAll(async () => t?.close());

  it("serves Connect over HTTP/2 and the probes over HTTP/1.1 with the gRPC listener's certificate", async () => {
    const ca = certs.read(certs.caFile);
    expect(await listTypesOverH2(t.app.httpAddress!, { ca })).toContain("lead.created");
    expect(await getOverH1(t.app.httpAddress!, "/healthz", { ca })).toBe(200);
  });
});

describe("the HTTP listener with mTLS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", { tlsCertFile: certs.serverCertFile, tlsKeyFile: certs.serverKeyFile, tlsClientCaFile: certs.caFile });
  });
  afterAll(async () => t?.close());

  it("serves a client with a certificate from the CA and refuses one without", async () => {
    const ca = certs.read(certs.caFile);
    const client = { ca, cert: certs.read(certs.clientCertFile), key: certs.read(certs.clientKeyFile) };
    expect(await listTypesOverH2(t.app.httpAddress!, client)).toContain("lead.created");
    expect(await getOverH1(t.app.httpAddress!, "/readyz", client)).toBe(200);
    await expect(getOverH1(t.app.httpAddress!, "/healthz", { ca })).rejects.toThrow();
  });
});

describe("the HTTP listener's certificate reload", () => {
  it("serves the new certificate after a reload (SIGHUP)", async () => {
    const folder = mkdtempSync(join(tmpdir(), "posthorn-http-reload-"));
    const cert = join(folder, "server.pem");
    const key = join(folder, "server.key");
    copyFileSync(certs.serverCertFile, cert);
    copyFileSync(certs.serverKeyFile, key);
    const renewed = makeTestCertificates("Posthorn Renewed CA");
    const t = await startTestApp("pglite", { tlsCertFile: cert, tlsKeyFile: key });
    try {
      const newCa = { ca: renewed.read(renewed.caFile) };
      await expect(getOverH1(t.app.httpAddress!, "/healthz", newCa)).rejects.toThrow();
      copyFileSync(renewed.serverCertFile, cert);
      copyFileSync(renewed.serverKeyFile, key);
      t.app.reloadTls();
      expect(await getOverH1(t.app.httpAddress!, "/healthz", newCa)).toBe(200);
    } finally {
      await t.close();
      renewed.remove();
    }
  });
});

describe("the HTTP listener off loopback", () => {
  it("is refused without TLS, like the gRPC listener, unless POSTHORN_INSECURE_LISTEN says so", () => {
    expect(() => parseConfig({ httpAddress: "0.0.0.0:8080" })).toThrow(/POSTHORN_HTTP_ADDRESS \(httpAddress\): "0\.0\.0\.0:8080" is not a loopback address and TLS is off/);
    expect(parseConfig({ httpAddress: "0.0.0.0:8080", insecureListen: true }).httpAddress).toBe("0.0.0.0:8080");
    expect(parseConfig({ httpAddress: "0.0.0.0:8080", tlsCertFile: certs.serverCertFile, tlsKeyFile: certs.serverKeyFile }).httpAddress).toBe("0.0.0.0:8080");
    expect(parseConfig({ httpAddress: "off", listenAddress: "127.0.0.1:1" }).httpAddress).toBe("off");
  });
});
