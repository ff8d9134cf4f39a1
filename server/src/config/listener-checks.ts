import { isLoopbackAddress } from "./loopback.js";

/** The settings the listener rules read (a subset of `Config`). */
export interface ListenerSettings {
  api: boolean;
  listenAddress: string;
  /** The HTTP listener (`off`: none); same TLS files and loopback rule as `listenAddress`. */
  httpAddress: string;
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
  tlsClientCaFile?: string | undefined;
  insecureListen: boolean;
}

/**
 * Rules between the API listeners' settings (gRPC and HTTP), each broken one as a line naming the variables and
 * the fix (undefined names nothing wrong):
 * - `tlsCertFile` and `tlsKeyFile` go together (TLS needs both);
 * - `tlsClientCaFile` (mTLS) needs them too;
 * - a listener that is not on loopback needs TLS, or `insecureListen` said on purpose: without
 *   TLS, API keys and payloads cross the network in clear (contract, "Access").
 * `label(key)` names the setting a line is about as the config error does
 * (`POSTHORN_TLS_CERT_FILE (tlsCertFile)`); `env(key)` is a variable named in the fix.
 */
export function listenerProblems(
  settings: ListenerSettings,
  label: (key: keyof ListenerSettings) => string,
  env: (key: keyof ListenerSettings) => string,
): string[] {
  if (!settings.api) return [];
  const problems: string[] = [];
  const hasCert = settings.tlsCertFile !== undefined;
  const hasKey = settings.tlsKeyFile !== undefined;
  if (hasCert !== hasKey) {
    const [given, missing] = hasCert ? (["tlsCertFile", "tlsKeyFile"] as const) : (["tlsKeyFile", "tlsCertFile"] as const);
    problems.push(`${label(missing)}: required with ${env(given)}; TLS needs the certificate and its key: set both, or neither for plaintext`);
  }
  if (settings.tlsClientCaFile !== undefined && !(hasCert && hasKey)) {
    problems.push(
      `${label("tlsClientCaFile")}: client certificates (mTLS) need TLS: set ${env("tlsCertFile")} and ${env("tlsKeyFile")} too, or unset it`,
    );
  }
  for (const key of ["listenAddress", "httpAddress"] as const) {
    const address = settings[key];
    if (key === "httpAddress" && address === "off") continue;
    if (!hasCert && !hasKey && !settings.insecureListen && !isLoopbackAddress(address)) {
      problems.push(
        `${label(key)}: ${JSON.stringify(address)} is not a loopback address and TLS is off, so API keys and ` +
          `payloads would cross the network in clear. Set ${env("tlsCertFile")} and ${env("tlsKeyFile")}, ` +
          `or ${env("insecureListen")}=true for a trusted network (or listen on 127.0.0.1)`,
      );
    }
  }
  return problems;
}
