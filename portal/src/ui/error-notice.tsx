import { errorMessage, isSessionOver } from "./error-message.js";

/**
 * What to tell the reader about a failed call: the server's message, or, when the session's key
 * no longer works, that the link expired or was revoked and a new one is needed.
 */
export function failureText(error: unknown): string {
  return isSessionOver(error)
    ? "This portal link has expired or was revoked. Ask the service you receive webhooks from for a new link."
    : errorMessage(error);
}

/** A failed call, said where it happened (role="alert": read out at once); nothing when `error` is undefined. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <p role="alert" class="error">
      {failureText(error)}
    </p>
  );
}
