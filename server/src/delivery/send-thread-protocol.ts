import type { AttemptOutcome } from "./transport.js";

/** What a sending thread is started with (threaded-transport.ts, send-thread.ts). */
export interface SendThreadData {
  /** `POSTHORN_ALLOWED_CIDRS`: the address guard's exceptions. */
  allowedCidrs: string[];
  /** `POSTHORN_EGRESS_PROXY`, when set. */
  proxyUrl?: string;
  /** Connections per endpoint origin (the per-endpoint concurrency). */
  connectionsPerOrigin: number;
}

/** Main thread → sending thread. */
export type SendThreadMessage =
  | { kind: "send"; id: number; url: string; headers: Record<string, string>; body: Uint8Array; deadlineMs: number }
  | { kind: "abort"; id: number }
  | { kind: "close" };

/** Sending thread → main thread: the outcome of attempt `id`. */
export interface SendThreadReply {
  id: number;
  outcome: AttemptOutcome;
}
