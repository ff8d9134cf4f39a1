import type { experimental } from "@grpc/grpc-js";
import type { CertificateMaterial } from "./certificate-files.js";

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/**
 * A grpc-js certificate provider (`experimental.CertificateProvider`) whose certificates are
 * replaced by `set`: the server's secure context follows at once, so new connections get the
 * new certificate while open ones keep theirs. Unlike grpc-js's FileWatcherCertificateProvider
 * (polling, no validation, and a failed read sends `null`, which makes the server drop every
 * new connection), it never withdraws a certificate: the caller sets only checked material.
 *
 * Listeners get the current material on a microtask, not inside `add…Listener`: grpc-js
 * registers the server's own watcher only after adding these listeners, and a synchronous
 * answer would reach no watcher (the listener would then refuse every connection).
 */
export class ReloadableCertificates implements experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(private material: CertificateMaterial) {}

  /** The material in use. */
  get current(): CertificateMaterial {
    return this.material;
  }

  /** Replaces the material and tells every listener (identity, then CA). */
  set(material: CertificateMaterial): void {
    this.material = material;
    for (const listener of this.identityListeners) listener(this.identityUpdate());
    for (const listener of this.caListeners) listener(this.caUpdate());
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => {
      if (this.caListeners.has(listener)) listener(this.caUpdate());
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => {
      if (this.identityListeners.has(listener)) listener(this.identityUpdate());
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  private identityUpdate(): experimental.IdentityCertificateUpdate {
    return { certificate: this.material.cert, privateKey: this.material.key };
  }

  private caUpdate(): experimental.CaCertificateUpdate | null {
    return this.material.clientCa === undefined ? null : { caCertificate: this.material.clientCa };
  }
}
