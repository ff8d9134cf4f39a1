/**
 * @posthorn/sdk: typed client for the Posthorn API (`posthorn.v1.WebhookService`).
 *
 * One factory (`createWebhookClient`), one error type (`PosthornError`), and the generated
 * message types and enums of the API.
 */
export {
  createWebhookClient,
  MAX_RECEIVE_MESSAGE_BYTES,
  MAX_SEND_MESSAGE_BYTES,
  type CallSettings, type WebhookClient, type WebhookClientOptions,
} from "./client.js";
export { PosthornError } from "./posthorn-error.js";
export { checkApiKey, type TlsSettings } from "./transport-security.js";
export { status } from "@grpc/grpc-js";
export * from "@posthorn/proto";
