import { describe, type TestOptions } from "vitest";

/** What a skipped PostgreSQL-only suite says, in its title and in the one line it prints. */
export const NEEDS_POSTGRES = "skipped: needs DATABASE_URL (PostgreSQL; e.g. `source <(bash .ci/start-postgres.sh)`)";

/**
 * A `describe` for suites that only make sense on a real PostgreSQL server (several processes,
 * racing transactions, roles). Without `DATABASE_URL` the suite is skipped and says why: its
 * title ends with {@link NEEDS_POSTGRES} and one line naming it is printed at collection, so a
 * run without PostgreSQL does not look as if these tests passed.
 */
export function describeOnPostgres(title: string, options: TestOptions, body: () => void): void;
export function describeOnPostgres(title: string, body: () => void): void;
export function describeOnPostgres(title: string, a: TestOptions | (() => void), b?: () => void): void {
  const options = typeof a === "function" ? {} : a;
  const body = typeof a === "function" ? a : b!;
  if (process.env.DATABASE_URL) {
    describe(title, options, body);
    return;
  }
  console.info(`"${title}" ${NEEDS_POSTGRES}`);
  describe.skip(`${title} (${NEEDS_POSTGRES})`, options, body);
}
