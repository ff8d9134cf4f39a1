/**
 * What the portal browser test runs against: a real server (`posthorn serve`, a child process on
 * PGlite in a temp folder), a receiver whose answer the test switches, and portal links made by
 * the real CLI (`posthorn portal --json`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO_ROOT, runProcess } from "../e2e/child-process.js";
import { connectClient, type ConnectClient } from "../helpers/connect-client.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

/** The receiver's answer: 200 "ok" until the test says otherwise. */
export interface Answer {
  status: number;
  body: string;
}

export interface PortalWorld {
  server: ServerProcess;
  receiver: Receiver;
  /** What the receiver answers from now on (mutable). */
  answer: Answer;
  /** Admin API client over the HTTP listener (Connect JSON). */
  admin: ConnectClient;
  /** Runs `posthorn portal --customer <customer> --json` and returns the URL and the session key's id. */
  openSession(customer: string): Promise<{ url: string; keyId: string }>;
  close(): Promise<void>;
}

/**
 * Starts the server and the receiver. The retry schedule is one hour, so a failed attempt is only
 * tried again when the test presses Retry (the default first retry, 30 s, could come first on a
 * slow machine).
 */
export async function startPortalWorld(): Promise<PortalWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), "posthorn-portal-browser-"));
  const answer: Answer = { status: 200, body: "ok" };
  const receiver = await startReceiver((_request, _index, response) => void response.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body));
  let server: ServerProcess;
  try {
    server = await spawnServer({ POSTHORN_DATA_DIR: dataDir, POSTHORN_RETRY_SCHEDULE: "3600,3600" });
  } catch (error) {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const admin = connectClient(server.httpAddress!, TEST_ADMIN_KEY);
  return {
    server,
    receiver,
    answer,
    admin,
    async openSession(customer) {
      const env = { POSTHORN_API_KEY: TEST_ADMIN_KEY, POSTHORN_ADDRESS: server.address };
      const opened = await runProcess("node", ["server/bin/posthorn.js", "portal", "--customer", customer, "--json"], { env });
      if (opened.code !== 0) throw new Error(`posthorn portal failed (${opened.code}): ${opened.stderr}`);
      const response = JSON.parse(opened.stdout) as { url: string; apiKey: { id: string } };
      return { url: response.url, keyId: response.apiKey.id };
    },
    async close() {
      await server.stop();
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of `page` as docs/portal/<name>.png (the README and docs show them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(REPO_ROOT, "docs", "portal", `${name}.png`), fullPage: true, animations: "disabled", caret: "hide" });
}

/**
 * Calls `method` of WebhookService from inside `page` (same origin) with the session's key from
 * sessionStorage, as an edited request would: answers the HTTP status and the Connect error code.
 */
export async function callFromPage(page: Page, method: string, body: object): Promise<{ status: number; code: string | undefined }> {
  return page.evaluate(
    async ({ method, body }) => {
      // Runs in the page (the test's tsconfig has no DOM types).
      const storage = (globalThis as unknown as { sessionStorage: { getItem(name: string): string | null } }).sessionStorage;
      const key = storage.getItem("posthorn.portal.key") ?? "";
      const response = await fetch(`/posthorn.v1.WebhookService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { code?: string };
      return { status: response.status, code: answer.code };
    },
    { method, body },
  );
}

/** The page's full width in CSS pixels (`document.documentElement.scrollWidth`): wider than the viewport means sideways scrolling. */
export async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth");
}
