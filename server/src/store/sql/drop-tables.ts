import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Drops the (detached partition) tables `names` in one statement; their files are removed at commit, nothing is left for VACUUM. */
export async function dropTables(db: Kysely<Database>, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await sql`DROP TABLE ${sql.join(names.map((name) => sql.id(name)))}`.execute(db);
}
