import type { ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import type { Store } from "../store/database.js";
import { loadMigrations } from "../store/migrate.js";
import { latestMigration } from "../store/sql/latest-migration.js";

type Response = ServerResponse | Http2ServerResponse;

/** The HTTP listener's probes, for orchestrators (Kubernetes liveness and readiness, a load balancer). */
export interface HttpProbes {
  /** `GET /healthz`: 200 "ok" while the process runs (a restart would not help a database outage). */
  healthz(response: Response): void;
  /**
   * `GET /readyz`: 200 "ready" when the database answers and every migration this server ships
   * is applied; 503 with a one-line reason otherwise, and from `stopping()` on (so a load
   * balancer sends no new calls to a process that is shutting down). Reveals nothing else.
   */
  readyz(response: Response): Promise<void>;
  /** From now on `readyz` answers 503 "shutting down". */
  stopping(): void;
}

/** The probes of a process whose database is `store`. */
export function createHttpProbes(store: Store): HttpProbes {
  const expected = Math.max(0, ...loadMigrations().map((migration) => migration.version));
  let stopping = false;
  const answer = (response: Response, code: number, text: string) => {
    response.writeHead(code, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    response.end(`${text}\n`);
  };
  return {
    healthz: (response) => answer(response, 200, "ok"),
    async readyz(response) {
      if (stopping) return answer(response, 503, "shutting down");
      if (!store.availability.up) return answer(response, 503, "database unavailable");
      let applied: number;
      try {
        applied = await latestMigration(store.db);
      } catch (error) {
        store.availability.reportFailure(error);
        return answer(response, 503, "database unavailable");
      }
      if (applied < expected) return answer(response, 503, `migrations not applied (database at ${applied}, this server needs ${expected})`);
      answer(response, 200, "ready");
    },
    stopping: () => {
      stopping = true;
    },
  };
}
