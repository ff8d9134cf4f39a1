/**
 * TLS and mTLS on the gRPC listener, end to end with certificates the test makes (openssl):
 * the SDK's `tls` option, client certificates, reload on SIGHUP and on file change, the CLI's
 * `--tls --tls-ca`, and the start-time refusals (exit 2 naming the settings).
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookClient, PosthornError, status, type WebhookClientOptions } from "@posthorn/sdk";
import { runProcess } from "../e2e/child-process.js";
import { eventually } from "../helpers/eventually.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { makeTestCertificates, type TestCertificates } from "../helpers/test-certificates.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

/** The event types through a fresh client with `options` (fails fast: no retries). */
async function listTypes(address: string, options: Partial<WebhookClientOptions>): Promise<string[]> {
  const client = createWebhookClient({ address, apiKey: TEST_ADMIN_KEY, maxRetries: 0, deadlineMs: 10_000, ...options });
  try {
    return (await client.listEventTypes({})).eventTypes;
  } finally {
    client.close();
  }
}

/** The PosthornError `promise` rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<PosthornError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PosthornError);
  return error as PosthornError;
}

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

describe("TLS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", { tlsCertFile: certs.serverCertFile, tlsKeyFile: certs.serverKeyFile });
  });
  afterAll(async () => t?.close());

  it("serves a client that trusts the CA", async () => {
    expect(t.app.tls).toBe("tls");
    expect(await listTypes(t.app.address!, { tls: { ca: certs.read(certs.caFile) } })).toContain("lead.created");
  });

  it("fails a client that does not trust the CA with UNAVAILABLE naming the certificate", async () => {
    const failure = await failureOf(listTypes(t.app.address!, { tls: true }));
    expect(failure.code).toBe(status.UNAVAILABLE);
    expect(failure.details).toMatch(/certificate/i);
  });

  it("fails a plaintext client", async () => {
    const failure = await failureOf(listTypes(t.app.address!, { tls: false }));
    expect(failure.code).toBe(status.UNAVAILABLE);
  });

  it("serves the CLI with --tls --tls-ca", async () => {
    const { code, stdout, stderr } = await runProcess("node", [
      "server/bin/posthorn.js", "event-types", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY, "--tls", "--tls-ca", certs.caFile,
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")).toContain("lead.created");
  });
});

describe("mTLS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", {
      tlsCertFile: certs.serverCertFile,
      tlsKeyFile: certs.serverKeyFile,
      tlsClientCaFile: certs.caFile,
    });
  });
  afterAll(async () => t?.close());

  it("refuses a client without a certificate", async () => {
    expect(t.app.tls).toBe("mtls");
    const failure = await failureOf(listTypes(t.app.address!, { tls: { ca: certs.read(certs.caFile) } }));
    expect(failure.code).toBe(status.UNAVAILABLE);
  });

  it("refuses a client whose certificate another CA signed", async () => {
    const stranger = makeTestCertificates("Stranger CA");
    try {
      const tls = { ca: certs.read(certs.caFile), cert: stranger.read(stranger.clientCertFile), key: stranger.read(stranger.clientKeyFile) };
      expect((await failureOf(listTypes(t.app.address!, { tls }))).code).toBe(status.UNAVAILABLE);
    } finally {
      stranger.remove();
    }
  });

  it("serves a client with a certificate from the CA", async () => {
    const tls = { ca: certs.read(certs.caFile), cert: certs.read(certs.clientCertFile), key: certs.read(certs.clientKeyFile) };
    expect(await listTypes(t.app.address!, { tls })).toContain("lead.created");
  });

  it("serves the CLI with --tls-cert and --tls-key; without them it says a client certificate is needed", async () => {
    const cli = (...extra: string[]) =>
      runProcess("node", ["server/bin/posthorn.js", "event-types", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY, "--tls-ca", certs.caFile, ...extra]);
    const served = await cli("--tls-cert", certs.clientCertFile, "--tls-key", certs.clientKeyFile);
    expect(served.stderr).toBe("");
    expect(served.stdout.split("\n")).toContain("lead.created");
    const refused = await cli();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("requires a client certificate (pass --tls-cert and --tls-key)");
    const half = await cli("--tls-cert", certs.clientCertFile);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("--tls-cert and --tls-key: give both");
  });
});

describe("certificate reload", () => {
  /** A folder holding server.pem and server.key copied from `from`. */
  const install = (from: TestCertificates, folder: string) => {
    copyFileSync(from.serverKeyFile, join(folder, "server.key"));
    copyFileSync(from.serverCertFile, join(folder, "server.pem"));
  };

  it("takes a new certificate on SIGHUP without dropping the listener; bad files keep the old one", async () => {
    const folder = mkdtempSync(join(tmpdir(), "posthorn-tls-live-"));
    install(certs, folder);
    const server: ServerProcess = await spawnServer({
      POSTHORN_DATA_DIR: join(folder, "data"),
      POSTHORN_TLS_CERT_FILE: join(folder, "server.pem"),
      POSTHORN_TLS_KEY_FILE: join(folder, "server.key"),
    });
    const renewed = makeTestCertificates("Renewed CA");
    try {
      expect(JSON.parse(server.lines.find((line) => line.includes('"msg":"listening"'))!).tls).toBe("tls");
      const oldCa = { tls: { ca: certs.read(certs.caFile) } };
      const newCa = { tls: { ca: renewed.read(renewed.caFile) } };
      expect(await listTypes(server.address, oldCa)).toContain("lead.created");

      install(renewed, folder);
      server.child.kill("SIGHUP");
      await eventually(async () => server.lines.some((line) => line.includes('"reason":"SIGHUP"') && line.includes("TLS certificates reloaded")), Boolean);
      expect(await listTypes(server.address, newCa)).toContain("lead.created");
      expect((await failureOf(listTypes(server.address, oldCa))).code).toBe(status.UNAVAILABLE);

      writeFileSync(join(folder, "server.pem"), "not a certificate\n");
      server.child.kill("SIGHUP");
      const failed = await eventually(
        async () => server.lines.find((line) => line.includes("TLS reload failed") && line.includes('"reason":"SIGHUP"')),
        (line) => line !== undefined,
      );
      expect(failed).toContain(join(folder, "server.pem"));
      expect(failed).toContain("tlsCertFile");
      expect(await listTypes(server.address, newCa)).toContain("lead.created");
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.stop();
      renewed.remove();
    }
  });

  it("takes a new certificate when the files change", async () => {
    const folder = mkdtempSync(join(tmpdir(), "posthorn-tls-watch-"));
    install(certs, folder);
    const t = await startTestApp("pglite", { tlsCertFile: join(folder, "server.pem"), tlsKeyFile: join(folder, "server.key") });
    const renewed = makeTestCertificates("Watched CA");
    try {
      install(renewed, folder);
      const newCa = { tls: { ca: renewed.read(renewed.caFile) } };
      const works = await eventually(
        () => listTypes(t.app.address!, newCa).then(() => true, () => false),
        Boolean,
      );
      expect(works).toBe(true);
    } finally {
      await t.close();
      renewed.remove();
    }
  });
});

describe("start-time refusals (exit 2)", () => {
  const serve = (env: NodeJS.ProcessEnv) =>
    runProcess("node", ["server/bin/posthorn.js", "serve"], {
      env: { POSTHORN_DATA_DIR: join(mkdtempSync(join(tmpdir(), "posthorn-tls-refuse-")), "data"), POSTHORN_METRICS_ADDRESS: "off", ...env },
    });

  it.each([
    ["a non-loopback address without TLS", { POSTHORN_LISTEN_ADDRESS: "0.0.0.0:0" }, ["POSTHORN_LISTEN_ADDRESS (listenAddress)", "not a loopback address", "POSTHORN_TLS_CERT_FILE", "POSTHORN_INSECURE_LISTEN=true"]],
    ["a certificate without its key", () => ({ POSTHORN_TLS_CERT_FILE: certs.serverCertFile }), ["POSTHORN_TLS_KEY_FILE (tlsKeyFile): required with POSTHORN_TLS_CERT_FILE"]],
    ["a client CA without TLS", () => ({ POSTHORN_TLS_CLIENT_CA_FILE: certs.caFile }), ["POSTHORN_TLS_CLIENT_CA_FILE (tlsClientCaFile)", "need TLS"]],
    ["a missing certificate file", () => ({ POSTHORN_TLS_CERT_FILE: "/nonexistent/server.pem", POSTHORN_TLS_KEY_FILE: certs.serverKeyFile }), ["POSTHORN_TLS_CERT_FILE (tlsCertFile)=/nonexistent/server.pem: cannot read the file (ENOENT)"]],
    ["a key that is not PEM", () => ({ POSTHORN_TLS_CERT_FILE: certs.serverCertFile, POSTHORN_TLS_KEY_FILE: certs.serverCertFile }), ["POSTHORN_TLS_KEY_FILE (tlsKeyFile)=", "server.pem: not an unencrypted PEM private key"]],
    ["a key of another certificate", () => ({ POSTHORN_TLS_CERT_FILE: certs.serverCertFile, POSTHORN_TLS_KEY_FILE: certs.clientKeyFile }), ["POSTHORN_TLS_KEY_FILE (tlsKeyFile)", "does not belong to the certificate"]],
  ] as [string, NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv), string[]][])("refuses %s", async (_name, env, says) => {
    const { code, stderr } = await serve(typeof env === "function" ? env() : env);
    expect(code).toBe(2);
    for (const text of says) expect(stderr).toContain(text);
  });
});
