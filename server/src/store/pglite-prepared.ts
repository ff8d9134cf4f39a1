import { createRequire } from "node:module";
import type { PGlite, Results } from "@electric-sql/pglite";
import pg from "pg";

// node-postgres's own conversion of a JS parameter to PostgreSQL's text form (Date with its
// offset, arrays as array literals, Buffer as is), the one the `pg` store uses: the same values
// reach the same SQL on both stores. Not in pg's type declarations, hence the require.
const { prepareValue } = createRequire(import.meta.url)("pg/lib/utils.js") as {
  prepareValue(value: unknown): string | Buffer | null;
};

/** Statements that can be prepared (PostgreSQL `PREPARE`: SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES; WITH leads to one). */
const PREPARABLE = /^\s*(select|with|insert|update|delete|values)\b/i;
/** Most prepared statements kept per session; the least recently used one is deallocated past it. */
const MAX_STATEMENTS = 256;

/**
 * Runs PGlite queries with parameters as prepared statements, one per SQL text, through SQL
 * `PREPARE`/`EXECUTE` (PGlite's client runs every query as the unnamed statement, so without
 * this each run is planned anew). After five runs PostgreSQL keeps a statement's generic plan
 * (plan_cache_mode auto, as for the `pg` store's named statements), so a hot statement is not
 * planned any more.
 *
 * Why it matters on PGlite: planning a statement over a partitioned table opens every index of
 * every day partition (the planner reads each one's size), and the WASM PostgreSQL keeps only
 * a few dozen files open (its descriptor cache; above about 60 files it closes and reopens them
 * on every statement). Planned per run, the claim opened ~270 files per call and held the event
 * loop ~13 ms, the lease sweeper's select ~100 (issue 18; docs/performance.md). A generic plan
 * opens only what the run reads.
 *
 * Parameters are sent as quoted literals of unknown type, which PostgreSQL casts to the
 * statement's parameter types, inferred by `PREPARE` as the unnamed statement's would be.
 * Statements outlive rollbacks (PostgreSQL keeps them per session). One that a schema change
 * made stale ("cached plan must not change result type") fails that run and is prepared anew
 * on the next.
 */
export class PgliteStatementCache {
  /** SQL text → statement name and its PREPARE (in use order, oldest first). */
  private readonly statements = new Map<string, { name: string; prepared: Promise<unknown> }>();
  private next = 0;

  constructor(private readonly pglite: PGlite) {}

  /** PGlite's `query`, prepared when it can be (see the class); resolves to its results, rejects with PostgreSQL's error. */
  async query<T>(sql: string, params: readonly unknown[] = []): Promise<Results<T>> {
    if (params.length === 0 || !PREPARABLE.test(sql)) return this.pglite.query<T>(sql, [...params]);
    const statement = await this.prepare(sql);
    try {
      return await this.pglite.query<T>(`EXECUTE ${statement}(${params.map(literal).join(", ")})`);
    } catch (error) {
      // 0A000: the plan's result type changed (DDL since PREPARE); the next run prepares anew.
      if ((error as { code?: string }).code === "0A000") this.forget(sql);
      throw error;
    }
  }

  private async prepare(sql: string): Promise<string> {
    let entry = this.statements.get(sql);
    if (entry) {
      this.statements.delete(sql);
      this.statements.set(sql, entry);
    } else {
      if (this.statements.size >= MAX_STATEMENTS) this.forget(this.statements.keys().next().value!);
      const name = `posthorn_${this.next++}`;
      entry = { name, prepared: this.pglite.query(`PREPARE ${name} AS ${sql}`) };
      this.statements.set(sql, entry);
      // A failed PREPARE (a syntax error, a failed transaction) is tried again by the next run.
      entry.prepared.catch(() => {
        if (this.statements.get(sql) === entry) this.statements.delete(sql);
      });
    }
    await entry.prepared;
    return entry.name;
  }

  private forget(sql: string): void {
    const entry = this.statements.get(sql);
    if (!entry) return;
    this.statements.delete(sql);
    // Queued behind the queries already waiting; a statement that was never prepared is no error.
    void entry.prepared.then(() => this.pglite.query(`DEALLOCATE ${entry.name}`)).catch(() => {});
  }
}

/** `value` as an SQL literal of unknown type (NULL for null/undefined): PostgreSQL casts it to the parameter's type. */
function literal(value: unknown): string {
  const text = prepareValue(value);
  if (text === null) return "NULL";
  return pg.escapeLiteral(typeof text === "string" ? text : `\\x${text.toString("hex")}`);
}
