import { Writable } from "node:stream";
import pino from "pino";

/**
 * A pino logger at `level` (default `info`) whose JSON lines are kept, parsed, in `lines` (for
 * tests that read the log); `options` are added to the logger's (e.g. the server's trace-id `mixin`).
 */
export function captureLog(
  level: pino.LevelWithSilent = "info",
  options: pino.LoggerOptions = {},
): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level, ...options }, sink), lines };
}
