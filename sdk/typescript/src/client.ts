import { randomUUID } from "node:crypto";
import { clone, create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import {
  Client,
  Metadata,
  status,
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type MethodDefinition,
} from "@grpc/grpc-js";
import { serviceDefinitionOf, WebhookService, type EmitBatchRequest, type EmitRequest } from "@posthorn/proto";
import { PosthornError } from "./posthorn-error.js";
import { authorizationFor, channelCredentialsFor, type TlsSettings } from "./transport-security.js";

type Methods = (typeof WebhookService)["method"];

/** Per-call options. */
export interface CallSettings {
  /** Deadline for this call in milliseconds; overrides the client's `deadlineMs`. */
  deadlineMs?: number;
  /** Extra metadata for this call, merged over the client's. */
  metadata?: Record<string, string>;
  /** Cancels the call (for WatchDeliveries, ends the stream). */
  signal?: AbortSignal;
}

/**
 * The typed client: one async method per unary RPC (resolves to the response message) and an
 * async iterable for the server-streaming `watchDeliveries`. Requests are plain objects in the
 * generated messages' init shape. Every failure rejects with `PosthornError`.
 */
export type WebhookClient = {
  [K in keyof Methods]: Methods[K] extends { methodKind: "unary"; input: infer I; output: infer O }
    ? I extends DescMessage
      ? O extends DescMessage
        ? (request?: MessageInitShape<I>, settings?: CallSettings) => Promise<MessageShape<O>>
        : never
      : never
    : Methods[K] extends { methodKind: "server_streaming"; input: infer I; output: infer O }
      ? I extends DescMessage
        ? O extends DescMessage
          ? (request?: MessageInitShape<I>, settings?: CallSettings) => AsyncIterable<MessageShape<O>>
          : never
        : never
      : never;
} & {
  /** Closes the channel; pending calls fail with CANCELLED. */
  close(): void;
};

export interface WebhookClientOptions {
  /** Server address, `host:port` (e.g. `127.0.0.1:50051`). */
  address: string;
  /**
   * API key (`phk_…`), sent as `authorization: Bearer <key>` with every call, streams included.
   * Default: none (the server answers UNAUTHENTICATED). A key with a line break, white space or
   * a character outside visible ASCII makes `createWebhookClient` throw a TypeError (the key
   * is not quoted in it).
   */
  apiKey?: string;
  /**
   * Transport security. `false`: plaintext. `true`: TLS, the server verified against the system's
   * roots. `{ ca, cert, key }` (PEM contents): TLS verified against `ca`, and with `cert` + `key`
   * a client certificate (mTLS). Default: plaintext when `address` is loopback (localhost,
   * 127.0.0.0/8, [::1]), where the server listens without TLS by default; TLS anywhere else.
   * Ignored when `credentials` is given.
   */
  tls?: boolean | TlsSettings;
  /** grpc-js channel credentials, for what `tls` cannot say; overrides `tls`. */
  credentials?: ChannelCredentials;
  /** Metadata sent with every call; an `authorization` entry here wins over `apiKey`. */
  metadata?: Record<string, string>;
  /** Default deadline of each unary call in milliseconds; default 10,000. Streams have none. */
  deadlineMs?: number;
  /**
   * How many times an idempotent call (`emit`, `emitBatch`, gets and lists) is retried after
   * UNAVAILABLE; default 4, with exponential backoff from 100 ms (jittered, capped at 2 s).
   */
  maxRetries?: number;
  /**
   * grpc-js channel options, applied over the client's own: `grpc.max_send_message_length`
   * (`MAX_SEND_MESSAGE_BYTES`) and `grpc.max_receive_message_length` (`MAX_RECEIVE_MESSAGE_BYTES`).
   */
  channelOptions?: ChannelOptions;
}

/**
 * Largest request message the client sends, in bytes: what the server accepts (proto
 * `WebhookService`, "Sizes"). A larger one fails here with RESOURCE_EXHAUSTED, before it is sent.
 */
export const MAX_SEND_MESSAGE_BYTES = 8 * 1024 * 1024;
/**
 * Largest response message the client accepts, in bytes: gRPC's usual default, set explicitly
 * because every server response (list pages included) stays under it (proto "Sizes").
 */
export const MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Methods safe to retry on UNAVAILABLE: reads, and emits (which carry an idempotency key). */
const RETRYABLE = new Set<string>([
  "emit",
  "emitBatch",
  "getSubscription",
  "listSubscriptions",
  "getEvent",
  "listEvents",
  "listDeliveries",
  "getDelivery",
  "listEventTypes",
  "getStorage",
]);

/**
 * Creates a client for `posthorn.v1.WebhookService`.
 *
 * `emit` and `emitBatch` give every event without an `idempotencyKey` a fresh random one
 * before the first try, and retries reuse it: a retry after UNAVAILABLE (the server may have
 * stored the event before the connection dropped) returns the original event, never a second.
 *
 * A call that failed with an unknown outcome (DEADLINE_EXCEEDED, UNAVAILABLE after the last
 * retry, CANCELLED, a dropped connection) may or may not have stored its events. To retry it
 * yourself without duplicating, give every event your own `idempotencyKey` (e.g. derived from
 * the fact it reports: `order-123-paid`) and send the same request again with the same keys,
 * within 24 hours: events already stored come back with `replayed: true`, the others are stored.
 * The automatic key is new for each call, so it cannot protect a retry that you make.
 *
 * Emit and EmitBatch answer in `EventView.BASIC` by default (no `data`, no `envelope`: the
 * caller has them); pass `view: EventView.FULL` for the whole event.
 *
 * @example
 * const client = createWebhookClient({ address: "127.0.0.1:50051", apiKey: process.env.POSTHORN_API_KEY });
 * // Across the network: TLS is the default; pass the CA that signed the server's certificate.
 * // createWebhookClient({ address: "posthorn.internal:50051", apiKey, tls: { ca: readFileSync("ca.pem") } });
 * const { event, matchedSubscriptions } = await client.emit({ type: "lead.created", customerId: "cus_1", data: { lead: 7 } });
 */
export function createWebhookClient(options: WebhookClientOptions): WebhookClient {
  const definition = serviceDefinitionOf(WebhookService);
  // Refused here, before any call, and without quoting the key (grpc-js's message would).
  const authorization = authorizationFor(options.apiKey);
  const channel = new Client(options.address, options.credentials ?? channelCredentialsFor(options.address, options.tls), {
    "grpc.max_send_message_length": MAX_SEND_MESSAGE_BYTES,
    "grpc.max_receive_message_length": MAX_RECEIVE_MESSAGE_BYTES,
    ...options.channelOptions,
  });
  const defaultDeadlineMs = options.deadlineMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 4;

  const metadataFor = (settings?: CallSettings): Metadata => {
    const metadata = new Metadata();
    const entries = { ...authorization, ...options.metadata, ...settings?.metadata };
    for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
    return metadata;
  };

  const callUnary = (method: MethodDefinition<unknown, unknown>, request: unknown, settings?: CallSettings) =>
    new Promise<unknown>((resolve, reject) => {
      const callOptions: CallOptions = { deadline: Date.now() + (settings?.deadlineMs ?? defaultDeadlineMs) };
      const call = channel.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadataFor(settings),
        callOptions,
        (error, response) => (error ? reject(PosthornError.from(error)) : resolve(response)),
      );
      settings?.signal?.addEventListener("abort", () => call.cancel(), { once: true });
    });

  const client: Record<string, unknown> = { close: () => channel.close() };
  for (const method of WebhookService.methods) {
    const grpcMethod = definition[method.localName] as MethodDefinition<unknown, unknown>;
    if (method.methodKind === "server_streaming") {
      client[method.localName] = (init: MessageInitShape<DescMessage> = {}, settings?: CallSettings) =>
        streamResponses(channel, grpcMethod, create(method.input, init), metadataFor(settings), settings?.signal);
      continue;
    }
    client[method.localName] = async (init: MessageInitShape<DescMessage> = {}, settings?: CallSettings) => {
      if (method.localName === "emit") refuseProtoKey((init as { data?: unknown }).data, "data");
      if (method.localName === "emitBatch") {
        ((init as { events?: { data?: unknown }[] }).events ?? []).forEach((event, i) => refuseProtoKey(event.data, `events[${i}].data`));
      }
      let request = create(method.input, init);
      // `create` returns a message as it is: copy it, so a generated key never leaks into the caller's object.
      if (method.localName === "emit" || method.localName === "emitBatch") request = clone(method.input, request);
      if (method.localName === "emit") withIdempotencyKey(request as unknown as EmitRequest);
      if (method.localName === "emitBatch") (request as unknown as EmitBatchRequest).events.forEach(withIdempotencyKey);
      const attempts = RETRYABLE.has(method.localName) ? maxRetries + 1 : 1;
      for (let attempt = 1; ; attempt++) {
        try {
          return await callUnary(grpcMethod, request, settings);
        } catch (error) {
          const failure = error as PosthornError;
          if (failure.code !== status.UNAVAILABLE || attempt >= attempts || settings?.signal?.aborted) throw failure;
          await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
        }
      }
    };
  }
  return client as WebhookClient;
}

/**
 * Refuses (INVALID_ARGUMENT, before sending) a `"__proto__"` key anywhere in `data`: protobuf-es
 * builds a Struct's fields in a plain object, where that key sets the prototype instead of
 * adding a field, so it would vanish silently on the way (the server refuses it too).
 */
function refuseProtoKey(data: unknown, path: string): void {
  const pending: [unknown, string][] = [[data, path]];
  while (pending.length > 0) {
    const [value, at] = pending.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push([item, `${at}[${i}]`]));
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(value, "__proto__")) {
      throw new PosthornError(status.INVALID_ARGUMENT, `${at}["__proto__"]: the key "__proto__" cannot be carried in a protobuf Struct here; rename it`);
    }
    for (const [key, child] of Object.entries(value)) pending.push([child, `${at}.${key}`]);
  }
}

function withIdempotencyKey(request: { idempotencyKey: string }): void {
  if (request.idempotencyKey === "") request.idempotencyKey = `sdk_${randomUUID()}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function* streamResponses(
  channel: Client,
  method: MethodDefinition<unknown, unknown>,
  request: unknown,
  metadata: Metadata,
  signal?: AbortSignal,
): AsyncGenerator<never> {
  const call = channel.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, {});
  const onAbort = () => call.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const message of call) yield message as never;
  } catch (error) {
    const failure = PosthornError.from(error);
    // Cancelling on purpose (signal or `return()` on the iterator) ends the stream quietly.
    if (failure.code === status.CANCELLED && (signal?.aborted ?? false)) return;
    throw failure;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    call.cancel();
  }
}
