/**
 * @posthorn/sdk: typed client for the Posthorn API (`posthorn.v1.WebhookService`).
 *
 * One factory (`createWebhookClient`), one error type (`PosthornError`), and the message types
 * and enums a caller writes: the resources the API answers with and the enums of its requests
 * and answers. The full generated schema (every request and response type, the `*Schema`
 * values for `create`/`toJson`, the service descriptor) is in `@posthorn/proto`.
 */
export {
  createWebhookClient,
  MAX_RECEIVE_MESSAGE_BYTES,
  MAX_SEND_MESSAGE_BYTES,
  type CallSettings, type WebhookClient, type WebhookClientOptions,
} from "./client.js";
export { PosthornError } from "./posthorn-error.js";
export { status } from "@grpc/grpc-js";
export { checkApiKey, type TlsSettings } from "./transport-security.js";

// Enums of requests (filters, views, roles, schemes) and answers (states, error kinds).
export { ApiKeyRole, AttemptErrorKind, DeliveryState, EventView, SignatureScheme } from "@posthorn/proto";

// The resources the API answers with, and the item of the `watchDeliveries` stream.
export type {
  ApiKey,
  AuditRecord,
  Delivery,
  DeliveryAttempt,
  Event,
  RetentionSettings,
  SigningSecretInfo,
  StorageDay,
  StoragePartition,
  Subscription,
  WatchDeliveriesResponse,
} from "@posthorn/proto";
