import { liveSecrets } from "../domain/secret.js";
import { findSubscription } from "../store/sql/find-subscription.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { checkId } from "./validate.js";

/**
 * GetSubscriptionSecret (proto `WebhookService`; like Svix's "get endpoint secret"): the values
 * of the subscription's valid signing secrets, opened with the keyring: the current one, then
 * the previous ones still in a rotation's grace period, newest first (exactly those the workers
 * sign with, `liveSecrets`). Looked up in the caller's scope, so another customer's id is
 * NOT_FOUND; every call is audited by its access rule (auth/access-rules.ts).
 * @throws NotFoundError; a SecretUnsealError (INTERNAL, logged) when a secret's key is missing.
 */
export function subscriptionSecretHandler(deps: ApiDeps): Pick<UnaryHandlers, "getSubscriptionSecret"> {
  const { store, clock, keyring } = deps;
  return {
    async getSubscriptionSecret(request, scope) {
      const id = checkId("id", request.id, "subscription");
      const row = await findSubscription(store.db, id, false, scope);
      const [current, ...previous] = keyring.openAll(id, liveSecrets(row.secrets, clock.nowMs()));
      return { secret: current?.secret ?? "", previousSecrets: previous.map((s) => s.secret) };
    },
  };
}
