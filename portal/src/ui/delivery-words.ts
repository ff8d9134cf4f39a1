import { AttemptErrorKind, DeliveryState, type DeliveryAttempt } from "@posthorn/proto/schema";

/** Words for a delivery's state, as a reader says them. */
export const STATE_WORDS: Record<DeliveryState, string> = {
  [DeliveryState.UNSPECIFIED]: "Any state",
  [DeliveryState.PENDING]: "Pending",
  [DeliveryState.SUCCEEDED]: "Succeeded",
  [DeliveryState.FAILED]: "Failed",
  [DeliveryState.CANCELED]: "Canceled",
};

/** An attempt's error kind in words (`connection refused`), or "" when it got a response. */
export function errorKindWords(kind: AttemptErrorKind): string {
  if (kind === AttemptErrorKind.UNSPECIFIED) return "";
  const name = AttemptErrorKind[kind] as string | undefined;
  return name === undefined ? `error ${kind}` : name.toLowerCase().replaceAll("_", " ");
}

/** What an attempt got: `HTTP 500`, `timeout`, or both when a status came with an error (a redirect). */
export function attemptResult(attempt: DeliveryAttempt): string {
  const kind = errorKindWords(attempt.errorKind);
  const status = attempt.statusCode === 0 ? "" : `HTTP ${attempt.statusCode}`;
  return [status, kind].filter((part) => part !== "").join(", ") || "no response";
}
