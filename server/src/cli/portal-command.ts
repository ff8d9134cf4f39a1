import { spawn } from "node:child_process";
import type { Command } from "commander";
import { CreatePortalSessionResponseSchema } from "@posthorn/proto";
import { MAX_PORTAL_TTL_SECONDS, MIN_PORTAL_TTL_SECONDS } from "../domain/portal-session.js";
import { addAddressOption, addJsonOption, print, UsageError, withClient, type ConnectionOptions } from "./cli-support.js";
import { formatTime } from "./format-table.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { parseDuration } from "./parse-input.js";

interface PortalOptions extends ConnectionOptions {
  customer: string;
  ttl?: string;
  open?: boolean;
  json?: boolean;
}

/**
 * `posthorn portal --customer <id> [--ttl <duration>] [--open]`: CreatePortalSession (admin key
 * needed). Prints the portal URL on its own line (so `$(posthorn portal …)`-style scripts can
 * take the first line), then the session's key id and expiry. `--json`: the
 * CreatePortalSessionResponse (`{"url": …, "apiKey": {…}}`). `--open` also hands the URL to the
 * system browser.
 */
export function registerPortalCommand(program: Command): void {
  const command = program
    .command("portal")
    .description("open the customer portal for one customer: prints a URL holding a short-lived customer key (admin key needed)")
    .requiredOption("--customer <id>", "the customer the portal shows (and nothing else), e.g. cus_demo")
    .option("--ttl <duration>", "how long the session works: seconds (3600) or 30m, 1h, 24h; 1 minute to 24 hours (default 1h)")
    .option("--open", "also open the URL in the system browser (xdg-open, open or start; the URL is then on that command's line)");
  addJsonOption(addAddressOption(command)).action(async (options: PortalOptions) => {
    const ttlSeconds = options.ttl === undefined ? 0 : parseTtl(options.ttl);
    await withClient(options, async (client) => {
      const response = await client.createPortalSession({ customerId: options.customer, ttlSeconds });
      if (options.json) printJsonDocument(messageJson(CreatePortalSessionResponseSchema, response));
      else {
        const key = response.apiKey!;
        print(response.url);
        print(
          `Portal session ${key.id} for customer ${key.customerId}, expires ${formatTime(key.expireTime)} UTC. ` +
            `Anyone with this URL sees that customer's endpoints and deliveries until then; \`posthorn keys revoke ${key.id}\` ends it now.`,
        );
      }
      if (options.open) await openInBrowser(response.url);
    });
  });
}

/** `--ttl`: whole seconds, or a duration (`30m`, `1h`, `24h`), within the server's bounds. */
function parseTtl(value: string): number {
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : parseDuration("--ttl", value);
  if (seconds < MIN_PORTAL_TTL_SECONDS || seconds > MAX_PORTAL_TTL_SECONDS) {
    throw new UsageError(`--ttl: expected 1 minute to 24 hours (${MIN_PORTAL_TTL_SECONDS} to ${MAX_PORTAL_TTL_SECONDS} seconds, or 1m to 24h), got "${value}"`);
  }
  return seconds;
}

/**
 * Starts the system's opener for `url` and does not wait for it: `open` on macOS, `start` on
 * Windows, `xdg-open` elsewhere. When none can be started, says so on stderr (the URL is
 * printed already); it never fails the command.
 */
function openInBrowser(url: string): Promise<void> {
  const [file, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', url]] : ["xdg-open", [url]];
  return new Promise((resolve) => {
    const child = spawn(file, args, { detached: true, stdio: "ignore" });
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
    child.once("error", (error) => {
      process.stderr.write(`posthorn: could not start ${file} to open a browser (${error.message}); open the URL above yourself.\n`);
      resolve();
    });
  });
}
