/** The server's log destination: the lines of one event-loop turn leave in one write, none is lost or reordered. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createLogDestination, releaseLogOutput } from "../../server/src/observability/logger.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function fileLogger() {
  const dir = mkdtempSync(join(tmpdir(), "posthorn-log-"));
  dirs.push(dir);
  const file = join(dir, "log.jsonl");
  const destination = createLogDestination(file);
  let writes = 0;
  destination.on("write", () => writes++);
  const logger = pino({ level: "info" }, destination);
  const lines = () => readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { msg: string; n: number });
  return { logger, lines, writes: () => writes };
}

describe("log destination", () => {
  it("writes the lines of one turn with one write, in order, and the next turn's after them", async () => {
    const { logger, lines, writes } = fileLogger();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the file is open
    for (let n = 0; n < 20; n++) logger.info({ n }, "attempt");
    await new Promise((resolve) => setTimeout(resolve, 50)); // written
    logger.info({ n: 20 }, "next turn");
    expect(await releaseLogOutput(logger, 2000)).toBe(true);
    expect(lines().map((line) => line.n)).toEqual([...Array(21).keys()]);
    // One write for the first turn's 20 lines, one for the next turn's line (each an fs.write).
    expect(writes()).toBe(2);
  });

  it("releaseLogOutput writes lines held for the end of the turn before it stops the output", async () => {
    const { logger, lines } = fileLogger();
    await new Promise((resolve) => setTimeout(resolve, 50));
    logger.info({ n: 1 }, "last words");
    expect(await releaseLogOutput(logger, 2000)).toBe(true);
    logger.info({ n: 2 }, "after the release");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines().map((line) => line.msg)).toEqual(["last words"]);
  });
});
