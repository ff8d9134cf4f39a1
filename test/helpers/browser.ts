import { execFileSync } from "node:child_process";
import { describe } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** What a skipped browser suite says (its title and one printed line). */
export const NEEDS_CHROMIUM = "skipped: needs Chromium (Debian's `chromium` package, or POSTHORN_CHROMIUM=/path/to/chrome; .ci/run installs it)";

/**
 * The Chromium the browser tests drive: `POSTHORN_CHROMIUM` (.ci/run sets it after installing
 * Debian's package), else `chromium` / `chromium-browser` on PATH, else undefined.
 */
export function chromiumPath(): string | undefined {
  if (process.env.POSTHORN_CHROMIUM) return process.env.POSTHORN_CHROMIUM;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
    } catch {
      // Not on PATH: try the next name.
    }
  }
  return undefined;
}

/**
 * A `describe` for suites that drive a real browser. Without a Chromium the suite is skipped and
 * says why (like describeOnPostgres); in CI, POSTHORN_CHROMIUM is always set, so it runs there.
 */
export function describeWithBrowser(title: string, body: () => void): void {
  if (chromiumPath() !== undefined) {
    describe(title, body);
    return;
  }
  console.info(`"${title}" ${NEEDS_CHROMIUM}`);
  describe.skip(`${title} (${NEEDS_CHROMIUM})`, body);
}

/** What went wrong in pages of a {@link GuardedBrowser}: each list must stay empty. */
export interface PageProblems {
  /** Uncaught exceptions and console errors (a CSP violation is one), except failed API calls. */
  errors: string[];
  /** Requests to anything but loopback: the portal must make no third-party requests. */
  foreignRequests: string[];
}

export interface GuardedBrowser {
  browser: Browser;
  /** A fresh context (own sessionStorage, no cookies) and page, watched for problems. */
  newPage(options?: { width?: number; height?: number }): Promise<{ context: BrowserContext; page: Page }>;
  problems: PageProblems;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Launches headless Chromium (`chromiumPath()`). Every page it opens records uncaught errors,
 * console errors and requests to non-loopback hosts (which are aborted) in `problems`.
 */
export async function launchGuardedBrowser(): Promise<GuardedBrowser> {
  // Chromium refuses to run as root with its sandbox (CI containers run as root).
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
  const browser = await chromium.launch({ executablePath: chromiumPath()!, args });
  const problems: PageProblems = { errors: [], foreignRequests: [] };
  return {
    browser,
    problems,
    async newPage({ width = 1280, height = 900 } = {}) {
      const context = await browser.newContext({ viewport: { width, height } });
      await context.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === "data:" || LOOPBACK_HOSTS.has(url.hostname) || LOOPBACK_HOSTS.has(`[${url.hostname}]`)) return route.continue();
        problems.foreignRequests.push(route.request().url());
        return route.abort();
      });
      const page = await context.newPage();
      page.on("pageerror", (error) => problems.errors.push(`uncaught: ${error.message}`));
      page.on("console", (message) => {
        // An API call the test makes fail on purpose (NOT_FOUND is HTTP 404 over Connect) logs
        // "Failed to load resource"; the page shows those errors itself, so they are not problems.
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.errors.push(`console: ${message.text()}`);
      });
      return { context, page };
    },
    close: () => browser.close(),
  };
}
