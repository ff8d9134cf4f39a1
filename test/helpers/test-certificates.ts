import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A test CA and certificates it signed, as PEM files in a temporary folder (made with the `openssl` CLI). */
export interface TestCertificates {
  folder: string;
  /** The CA certificate (trust anchor for both sides). */
  caFile: string;
  /** Server certificate for localhost, 127.0.0.1 and ::1, and its key. */
  serverCertFile: string;
  serverKeyFile: string;
  /** Client certificate (extended key usage clientAuth), and its key. */
  clientCertFile: string;
  clientKeyFile: string;
  read(file: string): Buffer;
  /** Deletes the folder. */
  remove(): void;
}

/**
 * Makes a fresh CA (P-256, valid 2 days) named `name` and a server and a client certificate
 * signed by it, into a new temporary folder (or `folder`, replacing the files there).
 */
export function makeTestCertificates(name = "Posthorn Test CA", folder = mkdtempSync(join(tmpdir(), "posthorn-certs-"))): TestCertificates {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: folder, stdio: ["ignore", "ignore", "pipe"] });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...newKey, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", `/CN=${name}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  const issue = (stem: string, subject: string, extensions: string) => {
    writeFileSync(join(folder, `${stem}.ext`), extensions);
    openssl("req", ...newKey, "-keyout", `${stem}.key`, "-out", `${stem}.csr`, "-subj", subject);
    openssl("x509", "-req", "-in", `${stem}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
      "-out", `${stem}.pem`, "-days", "2", "-extfile", `${stem}.ext`);
  };
  issue("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n");
  issue("client", "/CN=posthorn-test-client", "extendedKeyUsage=clientAuth\n");
  return {
    folder,
    caFile: join(folder, "ca.pem"),
    serverCertFile: join(folder, "server.pem"),
    serverKeyFile: join(folder, "server.key"),
    clientCertFile: join(folder, "client.pem"),
    clientKeyFile: join(folder, "client.key"),
    read: (file) => readFileSync(file),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}
