/** The CLI's promise: bad input exits 2 with what to fix; a refused or unreachable server exits 1 with the gRPC code. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runProcess } from "../e2e/child-process.js";

const posthorn = (args: string[], env: NodeJS.ProcessEnv = {}) => runProcess("node", ["server/bin/posthorn.js", ...args], { env });

describe("posthorn exit codes", () => {
  it("serve with a bad setting exits 2 naming the variable and the value", async () => {
    const { code, stderr } = await posthorn(["serve"], { POSTHORN_RETRY_JITTER: "2", POSTHORN_LISTEN_ADDRESS: "nowhere" });
    expect(code).toBe(2);
    expect(stderr).toContain('POSTHORN_RETRY_JITTER (retryJitter)');
    expect(stderr).toContain('(got "2")');
    expect(stderr).toContain("POSTHORN_LISTEN_ADDRESS (listenAddress): expected host:port");
  });

  it("bad flags exit 2 with a message saying what to fix", async () => {
    const emit = await posthorn(["emit", "--customer", "cus_1", "--type", "lead.created", "--data", "[1]"]);
    expect(emit.code).toBe(2);
    expect(emit.stderr).toContain("--data: expected a JSON object");
    const missing = await posthorn(["subscribe", "--customer", "cus_1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--url <url>' not specified");
    const listen = await posthorn(["listen"]);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toContain("listen needs --customer");
  });

  it("emit refuses integers beyond 2^53 before calling the server, saying to quote them", async () => {
    // The address is unreachable: exit 2 (not 1, UNAVAILABLE) shows the refusal is local.
    const args = ["emit", "--customer", "cus_1", "--type", "lead.created", "--address", "127.0.0.1:1"];
    const flag = await posthorn([...args, "--data", '{"n": 9223372036854775808, "ok": 9007199254740991}']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--data: data.n: 9223372036854775808 is beyond ±9007199254740991 (2^53 − 1) and would arrive as another number; quote it to send it as a string: "9223372036854775808"');
    const dir = mkdtempSync(join(tmpdir(), "posthorn-cli-"));
    const file = join(dir, "event.json");
    writeFileSync(file, '{"type": "lead.created", "customer_id": "cus_1", "data": {"items": [1, {"id": -12345678901234567890}]}}');
    const fromFile = await posthorn(["emit", "--file", file, "--address", "127.0.0.1:1"]);
    rmSync(dir, { recursive: true, force: true });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`--file ${file}: data.items[1].id: -12345678901234567890 is beyond`);
    const safe = await posthorn([...args, "--data", '{"n": 9007199254740991, "x": 1.5e-300}']);
    expect({ code: safe.code, unreachable: safe.stderr.includes("UNAVAILABLE") }).toEqual({ code: 1, unreachable: true });
  });

  it("an API key with a line break exits 2 without printing the key", async () => {
    const { code, stderr } = await posthorn(["event-types", "--address", "127.0.0.1:1"], { POSTHORN_API_KEY: "phk_do_not_print_me\n" });
    expect(code).toBe(2);
    expect(stderr).toContain("--api-key (POSTHORN_API_KEY): character 20 is a line break");
    expect(stderr).not.toContain("print_me");
  });

  it("an unreachable server exits 1 with the gRPC code and a hint", async () => {
    const { code, stderr } = await posthorn(["event-types", "--address", "127.0.0.1:1"]);
    expect(code).toBe(1);
    expect(stderr).toContain("UNAVAILABLE (14)");
    expect(stderr).toContain("Is the server running at 127.0.0.1:1?");
  });
});
