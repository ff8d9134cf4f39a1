/** The CLI's promise: bad input exits 2 with what to fix; a refused or unreachable server exits 1 with the gRPC code. */
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

  it("an unreachable server exits 1 with the gRPC code and a hint", async () => {
    const { code, stderr } = await posthorn(["event-types", "--address", "127.0.0.1:1"]);
    expect(code).toBe(1);
    expect(stderr).toContain("UNAVAILABLE (14)");
    expect(stderr).toContain("Is the server running at 127.0.0.1:1?");
  });
});
