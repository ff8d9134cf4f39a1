import { errorMessage, isSessionOver } from "./error-message.js";

/**
 * A failed call, as an alert: the server's message, or, when the session's key no longer works,
 * that the link has expired and a new one is needed (no retry would help).
 */
export function FailureNotice({ error, action }: { error: unknown; action?: string }) {
  const text = isSessionOver(error) ? "This link has expired. Ask for a new one." : errorMessage(error);
  return (
    <p role="alert" class="failure">
      {action === undefined ? text : `${action}: ${text}`}
    </p>
  );
}
