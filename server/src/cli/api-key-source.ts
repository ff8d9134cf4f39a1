import { adminKeyPath, looseAdminKeyFileMode, readAdminKeyFile } from "../auth/admin-key-file.js";
import { isLoopbackAddress } from "../config/loopback.js";

/** Default data folder of the embedded database (config.ts `dataDir`). */
const DEFAULT_DATA_DIR = "./.posthorn/data";

/** Where a client command's key came from, for its messages. */
export type KeySource = "option" | { file: string; /** Set when group or others may read it. */ looseMode: number | undefined } | "none";

/**
 * The API key a client command calls with: `explicit` (`--api-key` or `POSTHORN_API_KEY`) when
 * given; else, when `address` is on this machine (loopback), the admin key the server wrote to
 * `<POSTHORN_DATA_DIR or ./.posthorn/data>/admin.key`; else undefined (the server will answer
 * UNAUTHENTICATED, and the CLI says how to pass a key).
 */
export function apiKeyFor(address: string, explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return apiKeyWithSource(address, explicit, env).key;
}

/** `apiKeyFor`, with where the key came from. */
export function apiKeyWithSource(address: string, explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): { key: string | undefined; source: KeySource } {
  if (explicit !== undefined && explicit !== "") return { key: explicit, source: "option" };
  if (!isLoopbackAddress(address)) return { key: undefined, source: "none" };
  const dataDir = env.POSTHORN_DATA_DIR || DEFAULT_DATA_DIR;
  try {
    const key = readAdminKeyFile(dataDir);
    if (key === undefined) return { key: undefined, source: "none" };
    return { key, source: { file: adminKeyPath(dataDir), looseMode: looseAdminKeyFileMode(dataDir) } };
  } catch {
    return { key: undefined, source: "none" };
  }
}

/** Whether `host:port` names this machine (localhost, 127.0.0.0/8, [::1]); one rule with the server's listener check. */
export { isLoopbackAddress };
