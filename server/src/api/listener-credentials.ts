import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { experimental, ServerCredentials } from "@grpc/grpc-js";
import type { Config } from "../config/config.js";
import { ConfigError } from "../config/config-error.js";
import { ENV_NAMES } from "../config/setting-names.js";
import type { Logger } from "../observability/logger.js";
import { CertificateFileError, certificateValidityProblem, readCertificateFiles, type CertificateFiles } from "./certificate-files.js";
import { ReloadableCertificates } from "./reloadable-certificates.js";

/** How the API listener talks: plaintext, TLS, or TLS with client certificates (mTLS). */
export type TlsMode = "off" | "tls" | "mtls";

/** The gRPC listener's credentials and how to reload them. */
export interface ListenerCredentials {
  mode: TlsMode;
  /** For `Server.bindAsync`: the API, health and reflection share them (one listener). */
  credentials: ServerCredentials;
  /**
   * Reads the files again now (SIGHUP). New material goes to new connections at once; bad
   * files keep the material in use and log an error naming the file and its setting.
   */
  reload(reason: string): void;
  /**
   * With TLS: the certificates in use (the HTTP listener serves the same ones and follows their
   * reloads through its identity listener).
   */
  certificates?: ReloadableCertificates;
  /** Stops watching the files. */
  close(): void;
}

/** Quiet time after the last file event before reading the files (ms): a renewal writes several files. */
const SETTLE_MS = 200;

/**
 * The listener's credentials from `tlsCertFile`, `tlsKeyFile` and `tlsClientCaFile` (config.ts;
 * their combinations are checked there): insecure without them, TLS with the first two, and
 * mTLS with all three (a client without a certificate chaining to the CA is refused in the
 * handshake). With TLS, the files' folders are watched (a renewal that swaps files or symlinks,
 * as cert-manager and certbot do, is seen too) and the files are read again when they change.
 * A certificate that is expired or not valid yet is served (a renewal may be on its way) with a
 * warning in the log, at start and whenever such a certificate is loaded.
 * @throws ConfigError naming the file and its setting when a file is unreadable or not valid
 *   PEM, or the key does not match the certificate (`posthorn serve` exits 2 on it).
 */
export function createListenerCredentials(config: Config, logger: Logger): ListenerCredentials {
  if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) {
    return { mode: "off", credentials: ServerCredentials.createInsecure(), reload: () => {}, close: () => {} };
  }
  const files: CertificateFiles = { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, clientCaFile: config.tlsClientCaFile };
  const mode: TlsMode = files.clientCaFile === undefined ? "tls" : "mtls";
  let certificates: ReloadableCertificates;
  try {
    certificates = new ReloadableCertificates(readCertificateFiles(files));
  } catch (error) {
    if (error instanceof CertificateFileError) throw new ConfigError([error.message]);
    throw error;
  }
  const warnIfNotValid = (cert: Buffer) => {
    const problem = certificateValidityProblem(cert, Date.now());
    if (problem !== undefined) logger.warn({ file: files.certFile, setting: "tlsCertFile" }, `${ENV_NAMES.tlsCertFile}=${files.certFile}: ${problem}`);
  };
  warnIfNotValid(certificates.current.cert);
  // grpc-js 1.14 names the parameters (ca, identity, …) but builds with (identity, ca, …): the
  // identity provider goes first (see server-credentials.js, CertificateProviderServerCredentials).
  const credentials = experimental.createCertificateProviderServerCredentials(
    certificates,
    mode === "mtls" ? certificates : (null as never),
    mode === "mtls",
  );

  const reload = (reason: string) => {
    let material;
    try {
      material = readCertificateFiles(files);
    } catch (error) {
      if (!(error instanceof CertificateFileError)) throw error;
      logger.error({ reason, file: error.file, setting: error.setting, err: error.message }, "TLS reload failed; keeping the certificate in use");
      return;
    }
    const current = certificates.current;
    const changed =
      !material.cert.equals(current.cert) || !material.key.equals(current.key) || !sameBuffer(material.clientCa, current.clientCa);
    if (changed) {
      certificates.set(material);
      warnIfNotValid(material.cert);
    }
    // A file event that changed nothing (editors and renewals touch files more than once) is not worth a line.
    if (changed || reason === "SIGHUP") logger.info({ reason, tls: mode, changed }, "TLS certificates reloaded");
  };

  let settle: NodeJS.Timeout | undefined;
  const onFileEvent = () => {
    clearTimeout(settle);
    settle = setTimeout(() => reload("file change"), SETTLE_MS);
    settle.unref();
  };
  const watchers = watchFiles([files.certFile, files.keyFile, files.clientCaFile], onFileEvent, logger);
  return {
    mode,
    credentials,
    reload,
    certificates,
    close() {
      clearTimeout(settle);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/**
 * Watches the folders of `paths` (not the files: a file replaced by a rename or a symlink swap
 * would leave a file watch on the old inode) and calls `onEvent` on any event in them that may
 * concern one of the files: its name, a Kubernetes secret's `..data` swap, or an unnamed event.
 */
function watchFiles(paths: (string | undefined)[], onEvent: () => void, logger: Logger): FSWatcher[] {
  const namesByFolder = new Map<string, Set<string>>();
  for (const path of paths) {
    if (path === undefined) continue;
    const folder = dirname(resolve(path));
    const names = namesByFolder.get(folder) ?? new Set<string>();
    names.add(basename(path));
    namesByFolder.set(folder, names);
  }
  const watchers: FSWatcher[] = [];
  for (const [folder, names] of namesByFolder) {
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        if (name === null || names.has(String(name)) || String(name).startsWith("..")) onEvent();
      });
      watcher.on("error", (error) => logger.warn({ err: error, folder }, "cannot watch the TLS files' folder; reload with SIGHUP"));
      watchers.push(watcher);
    } catch (error) {
      logger.warn({ err: error, folder }, "cannot watch the TLS files' folder; reload with SIGHUP");
    }
  }
  return watchers;
}

function sameBuffer(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}
