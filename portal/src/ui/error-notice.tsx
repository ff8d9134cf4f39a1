import { errorMessage, isSessionOver } from "./error-message.js";

/**
 * A failed call, said where it happened (role="alert", read out at once): the server's message,
 * or, when the session's key no longer works, that the link expired and a new one is needed.
 */
export function ErrorNotice({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <p role="alert" class="error">
      {isSessionOver(error)
        ? "This portal link has expired or was revoked. Ask the service you receive webhooks from for a new link."
        : errorMessage(error)}
    </p>
  );
}
