/**
 * The README's walkthrough, run as written: the commands are read from README.md (the code
 * block after each `<!-- walkthrough:<step> -->` marker) and run through `sh` from the
 * repository root, so editing the README changes what is tested. The server runs on the
 * embedded database, as `npm start` does on a fresh machine; the test only points it at a
 * temporary folder and free ports, and tells the client commands the address
 * (POSTHORN_ADDRESS, which `--address` defaults to).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runProcess, startProcess, waitForListening, type RunningProcess } from "./child-process.js";

/** The one command in the code block after `<!-- walkthrough:<step> -->`. */
function walkthroughCommand(readme: string, step: string): string {
  const match = new RegExp(`<!-- walkthrough:${step} -->\\s*\`\`\`sh\\n([^\\n]+)\\n\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no \`<!-- walkthrough:${step} -->\` marker followed by a one-line sh block`);
  return match[1]!.trim();
}

describe("README walkthrough", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const commands = {
    server: walkthroughCommand(readme, "server"),
    listen: walkthroughCommand(readme, "listen"),
    emit: walkthroughCommand(readme, "emit"),
    deliveries: walkthroughCommand(readme, "deliveries"),
    portal: walkthroughCommand(readme, "portal"),
  };
  const dataDir = mkdtempSync(join(tmpdir(), "posthorn-readme-"));
  // As a new user runs it: no DATABASE_URL (the embedded default) and none of the POSTHORN_
  // settings another test file of this worker may have left in process.env.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("POSTHORN_") && name !== "DATABASE_URL"));
  const env: NodeJS.ProcessEnv = { ...inherited, POSTHORN_DATA_DIR: dataDir, POSTHORN_LISTEN_ADDRESS: "127.0.0.1:0", POSTHORN_HTTP_ADDRESS: "127.0.0.1:0", POSTHORN_METRICS_ADDRESS: "off" };
  let server: RunningProcess | undefined;
  let listener: RunningProcess | undefined;
  let httpAddress: string | undefined;

  beforeAll(async () => {
    server = startProcess(commands.server, [], { shell: true, env });
    const { address, http } = await waitForListening(server);
    env.POSTHORN_ADDRESS = address;
    httpAddress = http;
  }, 120_000);

  afterAll(async () => {
    await listener?.stop();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("the commands start a receiver, emit a signed event it verifies, and list the delivery", async () => {
    listener = startProcess(commands.listen, [], { shell: true, env });
    await listener.waitForLine((line) => line.startsWith("Listening on http://127.0.0.1:"), 60_000, "\"Listening on\" line");
    expect(listener.stdoutLines.some((line) => /^Subscribed sub_[0-9a-f]{24} for customer cus_demo/.test(line))).toBe(true);
    expect(listener.stdoutLines.some((line) => /^Secret: whsec_/.test(line))).toBe(true);

    const emitted = await runProcess(commands.emit, [], { shell: true, env });
    expect(emitted.code, emitted.stderr).toBe(0);
    const eventId = /Emitted (evt_[0-9a-f]{24}) \(lead\.created for cus_demo\) → 1 subscription matched/.exec(emitted.stdout)?.[1];
    expect(eventId, emitted.stdout).toBeDefined();

    const received = await listener.waitForLine((line) => line.includes(eventId!), 60_000, `line for ${eventId}`);
    expect(received).toMatch(/lead\.created .* attempt 1 +✓ verified +→ 200/);
    expect(received).toContain('{"lead_id":42,"name":"Ada Lovelace"}');

    // The delivery is recorded once the receiver has answered; poll until it shows succeeded.
    let table = "";
    for (let tries = 0; tries < 30 && !new RegExp(`${eventId}.*succeeded +200`).test(table); tries++) {
      const listed = await runProcess(commands.deliveries, [], { shell: true, env });
      expect(listed.code, listed.stderr).toBe(0);
      table = listed.stdout;
      if (!table.includes("succeeded")) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(table).toMatch(/^ID +EVENT +TYPE +CUSTOMER +STATE +ATTEMPTS/m);
    expect(table).toMatch(new RegExp(`dlv_[0-9a-f]{24} +${eventId} +lead\\.created +cus_demo +succeeded +200 `));
  }, 180_000);

  it("the portal command prints a URL whose page is served and whose key sees the customer's endpoints", async () => {
    const opened = await runProcess(commands.portal, [], { shell: true, env });
    expect(opened.code, opened.stderr).toBe(0);
    const url = opened.stdout.split("\n")[0]!;
    expect(url).toMatch(new RegExp(`^http://${httpAddress!.replace(/\./g, "\\.")}/portal/#key=phk_[A-Za-z0-9_-]+$`));
    const page = await fetch(url.split("#")[0]!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    // The key in the fragment is what the page calls the API with (Connect JSON, as the page does).
    const key = new URL(url).hash.slice("#key=".length);
    const listed = await fetch(`http://${httpAddress}/posthorn.v1.WebhookService/ListSubscriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { subscriptions?: { customerId: string }[] };
    expect(body.subscriptions?.length).toBeGreaterThan(0);
    expect(body.subscriptions!.every((s) => s.customerId === "cus_demo")).toBe(true);
  }, 60_000);
});
