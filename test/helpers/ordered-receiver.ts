import type { ServerResponse } from "node:http";
import { startReceiver, type ReceivedRequest, type Receiver } from "./receiver.js";

/** A receiver that watches the promises of ordered delivery: order of first receipts, requests in flight. */
export interface OrderedReceiver {
  receiver: Receiver;
  /** Event ids in the order of their FIRST successful (2xx) receipt: duplicates (at-least-once) are left out. */
  firstReceipts: string[];
  /** Every request's event id, in arrival order. */
  arrivals: string[];
  /** Most requests this receiver had open at one time. */
  maxInFlight: () => number;
}

/**
 * A receiver for ordered-delivery tests: `status(eventId, nth, data)` answers the nth (1-based)
 * request for an event whose envelope's `data` is `data` (default 200), after `delayMs` (so that overlapping requests would be
 * seen overlapping). `onRequest` runs when a request arrives, before it is answered.
 */
export async function startOrderedReceiver(
  options: {
    status?: (eventId: string, nth: number, data: Record<string, unknown>) => number;
    delayMs?: number;
    onRequest?: (eventId: string, nth: number) => void;
    /** Answers only once this resolves (then after `delayMs`). */
    gate?: (data: Record<string, unknown>) => Promise<void>;
  } = {},
): Promise<OrderedReceiver> {
  const firstReceipts: string[] = [];
  const arrivals: string[] = [];
  const seen = new Map<string, number>();
  let inFlight = 0;
  let max = 0;
  const receiver = await startReceiver((request: ReceivedRequest, _index: number, response: ServerResponse) => {
    const eventId = String(request.headers["dealix-event-id"]);
    const nth = (seen.get(eventId) ?? 0) + 1;
    seen.set(eventId, nth);
    arrivals.push(eventId);
    inFlight++;
    max = Math.max(max, inFlight);
    let open = true;
    const done = () => {
      if (open) inFlight--;
      open = false;
    };
    response.once("close", done);
    options.onRequest?.(eventId, nth);
    const { data } = JSON.parse(request.body.toString("utf8")) as { data: Record<string, unknown> };
    const status = options.status?.(eventId, nth, data) ?? 200;
    const answer = () => {
      if (!open) return;
      if (status >= 200 && status < 300 && !firstReceipts.includes(eventId)) firstReceipts.push(eventId);
      response.writeHead(status).end();
      done();
    };
    void (options.gate?.(data) ?? Promise.resolve()).then(() => setTimeout(answer, options.delayMs ?? 10));
  });
  return { receiver, firstReceipts, arrivals, maxInFlight: () => max };
}
