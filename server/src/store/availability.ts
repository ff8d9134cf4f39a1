/** Placeholder until the database-availability monitor lands (branch dbfault replaces this file). */
export interface DatabaseAvailability {
  /** False from the first connection-class failure until the database answers again. */
  readonly up: boolean;
  /** Calls `listener(up)` on each change; returns an unsubscribe function. */
  onChange(listener: (up: boolean) => void): () => void;
  /** Tell it a statement failed; returns true (and marks the database down) when `error` means the database is unreachable. */
  reportFailure(error: unknown): boolean;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return /^(57P0[123]|08...|ECONNREFUSED|ECONNRESET|EPIPE)$/.test(code ?? "") || /Connection terminated|timeout exceeded when trying to connect/.test(message ?? "");
}

export function alwaysUp(): DatabaseAvailability {
  return { up: true, onChange: () => () => {}, reportFailure: isDatabaseUnavailable };
}
