import type { Kysely } from "kysely";
import type { Database, StoredSecretEntry } from "../store/schema.js";
import { findSubscriptionSecrets } from "../store/sql/find-subscription-secrets.js";
import { listSubscriptionSecrets } from "../store/sql/list-subscription-secrets.js";
import { replaceSubscriptionSecrets } from "../store/sql/replace-subscription-secrets.js";
import type { SecretKeyring } from "./secret-keyring.js";

/** What a re-seal pass did, counted in secrets (a subscription holds one, or more while rotating). */
export interface ResealReport {
  /** Secrets sealed anew. */
  resealed: number;
  /** Secrets left as they were: already under the current key (scope `all`) or sealed at all (scope `plain`). */
  current: number;
  /** Secrets left sealed under a key not in the keyring, by key id. */
  unknownKeys: Map<string, number>;
}

/** Rows read per batch. */
const BATCH_SIZE = 200;
/** Compare-and-set tries per row before giving up on it (each miss means a concurrent write). */
const MAX_TRIES = 5;

/**
 * Seals subscriptions' secrets anew, batch by batch, each row by compare-and-set (a row changed
 * meanwhile, e.g. by RotateSubscriptionSecret, is read again and re-planned), so it runs safely
 * beside serving processes and beside another pass. Scope `plain` seals only plain-text secrets
 * (the upgrade, at every start); `all` also re-seals every secret not under the current key
 * (`posthorn rekey`). Deleted subscriptions are included: no plain secret is left behind.
 * @throws SecretUnsealError for a secret under a known key that does not authenticate.
 * @throws Error when a row keeps changing under it (`MAX_TRIES` misses in a row).
 */
export async function resealSecrets(db: Kysely<Database>, keyring: SecretKeyring, scope: "plain" | "all"): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, current: 0, unknownKeys: new Map() };
  for (let afterSeq = "0"; ; ) {
    const rows = await listSubscriptionSecrets(db, afterSeq, BATCH_SIZE, scope === "plain");
    for (const row of rows) await resealRow(db, keyring, row.id, row.secrets, scope, report);
    if (rows.length < BATCH_SIZE) return report;
    afterSeq = rows[rows.length - 1]!.seq;
  }
}

async function resealRow(
  db: Kysely<Database>,
  keyring: SecretKeyring,
  id: string,
  stored: StoredSecretEntry[],
  scope: "plain" | "all",
  report: ResealReport,
): Promise<void> {
  let secrets: StoredSecretEntry[] | undefined = stored;
  for (let tries = 0; tries < MAX_TRIES && secrets !== undefined; tries++) {
    const plan = keyring.reseal(id, secrets, scope);
    if (plan.resealed === 0 || (await replaceSubscriptionSecrets(db, id, secrets, plan.entries))) {
      report.resealed += plan.resealed;
      report.current += plan.current;
      for (const keyId of plan.unknownKeyIds) report.unknownKeys.set(keyId, (report.unknownKeys.get(keyId) ?? 0) + 1);
      return;
    }
    secrets = await findSubscriptionSecrets(db, id);
  }
  if (secrets !== undefined) throw new Error(`subscription ${id} kept changing while its secrets were re-sealed; run again`);
}
