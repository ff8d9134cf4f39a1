import pino, { type Logger } from "pino";

export type { Logger };

/**
 * The process logger: JSON lines (pino) on stdout, one object per line, so log shippers read it
 * as is; when stdout is a terminal, pino-pretty renders the same records readably. Never log
 * secrets or payloads: attempts log ids and the endpoint's origin only.
 */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    level,
    base: { service: "posthorn" },
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:standard", ignore: "pid,hostname,service" } } } : {}),
  });
}
