import { readFileSync } from "node:fs";
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { createSecureContext } from "node:tls";
import { ENV_NAMES } from "../config/setting-names.js";

/** Where the listener's PEM files are (paths as configured). */
export interface CertificateFiles {
  /** `tlsCertFile`: the server's certificate chain, leaf first. */
  certFile: string;
  /** `tlsKeyFile`: the private key of the leaf certificate. */
  keyFile: string;
  /** `tlsClientCaFile`: CA bundle that client certificates must chain to (mTLS); absent = TLS only. */
  clientCaFile?: string | undefined;
}

/** The files' contents, checked: every block parses, and the key belongs to the certificate. */
export interface CertificateMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer | undefined;
}

type FileSetting = "tlsCertFile" | "tlsKeyFile" | "tlsClientCaFile";

/** A listener file that cannot be used; `message` names the variable, the file and the reason. */
export class CertificateFileError extends Error {
  override readonly name = "CertificateFileError";
  constructor(
    readonly setting: FileSetting,
    readonly file: string,
    reason: string,
  ) {
    super(`${ENV_NAMES[setting]} (${setting})=${file}: ${reason}`);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads and checks the listener's PEM files (synchronously: at start, and on reload, where it is
 * a few small files): the chain and the CA bundle must hold at least one parseable
 * `CERTIFICATE` block each, the key must parse (PKCS#8, PKCS#1 or SEC1, unencrypted) and match
 * the leaf certificate, and Node must accept the three together as a TLS context.
 * @throws CertificateFileError naming the first bad file, its setting and why.
 */
export function readCertificateFiles(files: CertificateFiles): CertificateMaterial {
  const cert = readSetting("tlsCertFile", files.certFile);
  const key = readSetting("tlsKeyFile", files.keyFile);
  const clientCa = files.clientCaFile === undefined ? undefined : readSetting("tlsClientCaFile", files.clientCaFile);

  const leaf = parseCertificates("tlsCertFile", files.certFile, cert)[0]!;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new CertificateFileError("tlsKeyFile", files.keyFile, `not an unencrypted PEM private key (${(error as Error).message})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new CertificateFileError(
      "tlsKeyFile",
      files.keyFile,
      `this key does not belong to the certificate in ${ENV_NAMES.tlsCertFile}=${files.certFile} (subject ${leaf.subject.replace(/\n/g, ", ")})`,
    );
  }
  if (clientCa !== undefined) parseCertificates("tlsClientCaFile", files.clientCaFile!, clientCa);
  try {
    createSecureContext({ cert, key, ...(clientCa ? { ca: clientCa } : {}) });
  } catch (error) {
    throw new CertificateFileError("tlsCertFile", files.certFile, `Node's TLS refuses the certificate and key: ${(error as Error).message}`);
  }
  return { cert, key, clientCa };
}

/**
 * Why the leaf certificate (the first block of `cert`, a chain `readCertificateFiles` accepted)
 * is not valid at `nowMs` (ms since the epoch): expired, or not valid yet. Undefined when it is
 * valid. The server still serves it (renewal may be on its way), but clients refuse it in the
 * handshake, so the log should say why (RFC 5280 §4.1.2.5: notBefore and notAfter are inclusive).
 */
export function certificateValidityProblem(cert: Buffer, nowMs: number): string | undefined {
  const leaf = new X509Certificate(cert.toString("latin1").match(PEM_CERTIFICATE)![0]);
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  const subject = leaf.subject.replace(/\n/g, ", ");
  if (nowMs > notAfter) return `the certificate (subject ${subject}) expired at ${new Date(notAfter).toISOString()}; clients refuse it until it is renewed`;
  if (nowMs < notBefore) return `the certificate (subject ${subject}) is not valid before ${new Date(notBefore).toISOString()}; clients refuse it until then (check the clock)`;
  return undefined;
}

function readSetting(setting: FileSetting, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CertificateFileError(setting, file, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Every `CERTIFICATE` block of a PEM file, parsed; at least one. */
function parseCertificates(setting: FileSetting, file: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString("latin1").match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new CertificateFileError(setting, file, "no PEM certificate in it (expected -----BEGIN CERTIFICATE----- blocks)");
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new CertificateFileError(setting, file, `certificate ${i + 1} cannot be parsed (${(error as Error).message})`);
    }
  });
}
