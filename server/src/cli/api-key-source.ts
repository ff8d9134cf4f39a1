import { readAdminKeyFile } from "../auth/admin-key-file.js";

/** Default data folder of the embedded database (config.ts `dataDir`). */
const DEFAULT_DATA_DIR = "./.posthorn/data";

/**
 * The API key a client command calls with: `explicit` (`--api-key` or `POSTHORN_API_KEY`) when
 * given; else, when `address` is on this machine (loopback), the admin key the server wrote to
 * `<POSTHORN_DATA_DIR or ./.posthorn/data>/admin.key`; else undefined (the server will answer
 * UNAUTHENTICATED, and the CLI says how to pass a key).
 */
export function apiKeyFor(address: string, explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit !== undefined && explicit !== "") return explicit;
  if (!isLoopbackAddress(address)) return undefined;
  try {
    return readAdminKeyFile(env.POSTHORN_DATA_DIR || DEFAULT_DATA_DIR);
  } catch {
    return undefined;
  }
}

/** Whether `host:port` names this machine: localhost, 127.0.0.0/8 or [::1]. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
