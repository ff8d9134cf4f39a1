import type { DeliveryAttempt } from "@posthorn/proto/schema";
import { errorKindWords } from "../ui/delivery-words.js";
import { formatTime } from "../ui/time.js";

/** Whether another attempt follows, in words. */
function outcome(attempt: DeliveryAttempt): string {
  if (attempt.succeeded) return "Succeeded";
  return attempt.willRetry ? "Failed, will retry" : "Failed, not retried";
}

/**
 * A delivery's attempts, newest first, each with everything the server recorded: number, start,
 * status, duration, error kind and message, the response's first bytes and the signature header.
 * Texts from the endpoint are shown as text (JSX escapes them), never as markup.
 */
export function AttemptList({ attempts }: { attempts: DeliveryAttempt[] }) {
  if (attempts.length === 0) return <p>No attempt yet.</p>;
  return (
    <ol class="attempts" reversed>
      {[...attempts].reverse().map((attempt) => (
        <li key={attempt.id}>
          <h4>
            Attempt {attempt.attemptNumber}: {outcome(attempt)}
          </h4>
          <dl>
            <dt>Started</dt>
            <dd>{formatTime(attempt.startTime)}</dd>
            <dt>Status</dt>
            <dd>{attempt.statusCode === 0 ? "no response" : attempt.statusCode}</dd>
            <dt>Duration</dt>
            <dd>{attempt.durationMs} ms</dd>
            {errorKindWords(attempt.errorKind) !== "" && (
              <>
                <dt>Error kind</dt>
                <dd>{errorKindWords(attempt.errorKind)}</dd>
              </>
            )}
            {attempt.errorMessage !== "" && (
              <>
                <dt>Error</dt>
                <dd>{attempt.errorMessage}</dd>
              </>
            )}
            <dt>Signature header</dt>
            <dd>
              <code class="wrap">{attempt.signature || "—"}</code>
            </dd>
          </dl>
          {attempt.responseExcerpt !== "" && (
            <details open={!attempt.succeeded}>
              <summary>Response (first bytes)</summary>
              <pre>{attempt.responseExcerpt}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
