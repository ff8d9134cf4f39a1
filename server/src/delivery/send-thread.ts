/**
 * The entry point of one sending thread (threaded-transport.ts): an undici transport of its own
 * (createHttpTransport, with its own address guard and connection pools) that makes the attempts
 * the main thread posts and posts back their outcomes. Messages (`SendThreadMessage`): `send`
 * (an attempt, its id), `abort` (shutdown of one attempt), `close` (finish, close the pools, end).
 */
import { parentPort, workerData } from "node:worker_threads";
import { createAddressGuard } from "./address-guard.js";
import { createHttpTransport } from "./http-transport.js";
import type { SendThreadData, SendThreadMessage, SendThreadReply } from "./send-thread-protocol.js";

const port = parentPort!;
const data = workerData as SendThreadData;
const transport = createHttpTransport({
  addressGuard: createAddressGuard({ allowedCidrs: data.allowedCidrs }),
  ...(data.proxyUrl ? { proxyUrl: data.proxyUrl } : {}),
  connectionsPerOrigin: data.connectionsPerOrigin,
});
const aborts = new Map<number, AbortController>();

port.on("message", (message: SendThreadMessage) => {
  if (message.kind === "send") {
    const abort = new AbortController();
    aborts.set(message.id, abort);
    const { url, headers, body, deadlineMs } = message;
    void transport.send({ url, headers, body, deadlineMs, signal: abort.signal }).then((outcome) => {
      aborts.delete(message.id);
      port.postMessage({ id: message.id, outcome } satisfies SendThreadReply);
    });
  } else if (message.kind === "abort") {
    aborts.get(message.id)?.abort();
  } else {
    void transport.close().finally(() => port.close());
  }
});
