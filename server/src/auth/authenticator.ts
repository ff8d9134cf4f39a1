import type { Clock } from "../domain/clock.js";
import { UnauthenticatedError } from "../domain/errors.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { Store } from "../store/database.js";
import type { ApiKeyRow } from "../store/rows.js";
import { findApiKeyByHash } from "../store/sql/find-api-key-by-hash.js";
import { findApiKeysByIds } from "../store/sql/find-api-keys-by-ids.js";
import { touchApiKey } from "../store/sql/touch-api-key.js";
import { API_KEY_SHAPE, hashApiKey, keyPrefix } from "../domain/api-key.js";
import type { Caller } from "./caller.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/** Last-use times are recorded to this resolution (ms): a key is written at most once a minute. */
const LAST_USE_RESOLUTION_MS = 60_000;

/** Turns a call's `authorization` header (gRPC metadata or HTTP header) into its `Caller`, or refuses it. */
export interface Authenticator {
  /**
   * The caller of a call whose `authorization` values (gRPC metadata or HTTP header, every value
   * given; one is expected: `Bearer phk_…`) are `authorization`. Looks the key up on
   * every call (no cache), so a key revoked in any process fails on its next call here.
   * @throws UnauthenticatedError (missing, malformed, unknown, revoked, expired key), logged at
   *   most once per 10 s per reason and counted in `posthorn_auth_failures_total`; a database
   *   error as is (the caller answers UNAVAILABLE).
   */
  authenticate(authorization: readonly string[], method: string, peer: string): Promise<Caller>;
  /**
   * Of the keys `keyIds` (of callers authenticated earlier, e.g. of open WatchDeliveries
   * streams), those that no longer work now: revoked, expired or gone, each with the error a
   * call with it would get. One query; failures are not logged or counted here.
   * @throws a database error as is.
   */
  refusals(keyIds: readonly string[]): Promise<Map<string, UnauthenticatedError>>;
}

/** Why the key `row` does not work at `nowMs` (revoked, expired), or undefined when it does. */
function refusalOf(row: ApiKeyRow, nowMs: number): UnauthenticatedError | undefined {
  if (row.revoked_at !== null) return new UnauthenticatedError("revoked", `API key ${row.id} was revoked at ${row.revoked_at.toISOString()}`);
  if (row.expires_at !== null && row.expires_at.getTime() <= nowMs) {
    return new UnauthenticatedError("expired", `API key ${row.id} expired at ${row.expires_at.toISOString()}`);
  }
  return undefined;
}

export function createAuthenticator(deps: { store: Store; clock: Clock; logger: Logger; metrics: Metrics }): Authenticator {
  const { store, clock, logger, metrics } = deps;
  const failureLog = new RateLimitedLog(10_000, () => clock.nowMs());
  /** Keys whose last use was recorded here, and when (ms): spares the database a write per call. */
  const touched = new Map<string, number>();

  const refuse = (error: UnauthenticatedError, method: string, peer: string, keyId?: string): never => {
    metrics.authFailures.inc({ reason: error.reason });
    failureLog.run(error.reason, (suppressed) =>
      logger.warn({ reason: error.reason, method, peer, key_id: keyId, suppressed }, "call refused: not authenticated"),
    );
    throw error;
  };

  return {
    async authenticate(values, method, peer) {
      if (values.length === 0) {
        refuse(new UnauthenticatedError("missing", 'no API key: send the metadata "authorization: Bearer phk_…" (posthorn keys create makes one)'), method, peer);
      }
      const match = values.length === 1 ? /^Bearer ([^\s]+)$/i.exec(values[0]!.trim()) : null;
      const key = match?.[1];
      if (key === undefined || !API_KEY_SHAPE.test(key)) {
        refuse(new UnauthenticatedError("malformed", 'authorization: expected one "Bearer phk_…" value with an API key (phk_ + 32 to 128 characters)'), method, peer);
      }
      const row = await findApiKeyByHash(store.db, hashApiKey(key!));
      if (!row) refuse(new UnauthenticatedError("unknown", `API key ${keyPrefix(key!)}… is not known to this server`), method, peer);
      const nowMs = clock.nowMs();
      const refusal = refusalOf(row!, nowMs);
      if (refusal) refuse(refusal, method, peer, row!.id);
      const last = touched.get(row!.id) ?? row!.last_used_at?.getTime();
      if (last === undefined || nowMs - last >= LAST_USE_RESOLUTION_MS) {
        touched.set(row!.id, nowMs);
        touchApiKey(store.db, row!.id, new Date(nowMs), LAST_USE_RESOLUTION_MS).catch((error: unknown) => {
          touched.delete(row!.id);
          logger.warn({ err: error, key_id: row!.id }, "could not record an API key's last use");
        });
      }
      return {
        keyId: row!.id,
        keyName: row!.name,
        role: row!.role,
        customerId: row!.customer_id ?? undefined,
        emitCustomerIds: row!.emit_customer_ids,
      };
    },

    async refusals(keyIds) {
      const rows = new Map((await findApiKeysByIds(store.db, keyIds)).map((row) => [row.id, row]));
      const nowMs = clock.nowMs();
      const refused = new Map<string, UnauthenticatedError>();
      for (const id of new Set(keyIds)) {
        const row = rows.get(id);
        const refusal = row ? refusalOf(row, nowMs) : new UnauthenticatedError("unknown", `API key ${id} is not known to this server`);
        if (refusal) refused.set(id, refusal);
      }
      return refused;
    },
  };
}
