import { readAdminKeyFile } from "../auth/admin-key-file.js";
import { isLoopbackAddress } from "../config/loopback.js";

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

/** Whether `host:port` names this machine (localhost, 127.0.0.0/8, [::1]); one rule with the server's listener check. */
export { isLoopbackAddress };
