import { Code, ConnectError } from "@connectrpc/connect";

/**
 * What to show for a failed call: the server's own message (it names the field and the reason for
 * INVALID_ARGUMENT), without Connect's "[code]" prefix; a network failure says so.
 */
export function errorMessage(error: unknown): string {
  const connectError = ConnectError.from(error);
  if (connectError.code === Code.Unavailable && connectError.rawMessage === "") return "The server cannot be reached. Try again.";
  return connectError.rawMessage || Code[connectError.code];
}

/** Whether the session's key no longer works (expired or revoked): the page asks for a new link. */
export function isSessionOver(error: unknown): boolean {
  return ConnectError.from(error).code === Code.Unauthenticated;
}
