import { PosthornError, status } from "@posthorn/sdk";

/**
 * How the CLI words the server's refusals: the server's text stays as it is (it names the
 * field and the RPC, for every client); this adds what a command-line user does next.
 */

/**
 * `details` without grpc-js's empty trailer: its UNAVAILABLE text for a failed connection ends
 * in `. Resolution note: ` when name resolution had nothing to add (grpc-js
 * `load-balancing-call`/`subchannel` wording), which reads as if something were missing.
 */
export function withoutEmptyResolutionNote(details: string): string {
  return details.replace(/\.?\s*Resolution note:\s*$/, ".").replace(/\.\.$/, ".");
}

/**
 * How the CLI names a failure in one line: `UNAVAILABLE (14): No connection established. …` for
 * an API error (its gRPC code name and number, then the server's or grpc-js's text without the
 * empty resolution note), the message of any other error.
 */
export function errorText(error: unknown): string {
  if (error instanceof PosthornError) return `${error.codeName} (${error.code}): ${withoutEmptyResolutionNote(error.details)}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A line to print after the server's message, or undefined: the server's "unknown event type
 * …; ListEventTypes returns the accepted ones" (api/validate.ts) names the RPC, which a CLI
 * user reaches as `posthorn event-types`.
 */
export function commandLineHint(code: number, details: string): string | undefined {
  if (code === status.INVALID_ARGUMENT && /unknown event type/.test(details)) {
    return "Run `posthorn event-types` to see the event types this server accepts.";
  }
  return undefined;
}
