import type { Updateable } from "kysely";
import { create, toBinary } from "@bufbuild/protobuf";
import { SignatureScheme, SubscriptionSchema, type Subscription } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { generateSecret, liveSecrets } from "../domain/secret.js";
import { nextPage, readPage } from "../store/page-token.js";
import { ensurePartitionsFor } from "../store/partitions.js";
import { reportSecretRotation } from "../store/report-secret-rotation.js";
import type { SignatureSchemeName } from "../domain/signature-scheme.js";
import type { StoredSecretEntry, SubscriptionTable } from "../store/schema.js";
import { cancelPendingDeliveries } from "../store/sql/cancel-pending-deliveries.js";
import { findSubscription } from "../store/sql/find-subscription.js";
import { insertSubscription } from "../store/sql/insert-subscription.js";
import { listSubscriptions } from "../store/sql/list-subscriptions.js";
import { dropRateReservations } from "../store/sql/drop-rate-reservations.js";
import { markPendingOrdered } from "../store/sql/mark-pending-ordered.js";
import { releaseWaitingDeliveries } from "../store/sql/release-waiting-deliveries.js";
import { updateSubscription } from "../store/sql/update-subscription.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { SCHEME_FROM_PROTO } from "./proto-enums.js";
import { subscriptionToProto } from "./proto-mapping.js";
import { PAGE_BYTES, repeatedFieldBytes } from "./size-limits.js";
import {
  checkCustomerId,
  checkCustomerIdFilter,
  checkDescription,
  checkEndpointUrl,
  checkEventTypes,
  checkId,
  checkOperationalSubscriber,
} from "./validate.js";
import { excerpt } from "../domain/excerpt.js";
import { checkRateLimit, checkRateLimitValue } from "./subscription-delivery-options.js";
import { transactionRetryingConflicts } from "../store/lock-conflict.js";

/** Grace period of the previous secret after a rotation: default 24 h, at most 7 days (seconds). */
export const DEFAULT_SECRET_GRACE_SECONDS = 86_400;
export const MAX_SECRET_GRACE_SECONDS = 7 * 86_400;

/** Fields UpdateSubscription may change (its `update_mask` paths). */
const UPDATABLE = new Set([
  "endpoint_url",
  "event_types",
  "enabled",
  "description",
  "signature_scheme",
  "rate_limit_per_second",
  "rate_limit_burst",
  "ordered",
]);

type SubscriptionHandlers = Pick<
  UnaryHandlers,
  | "subscribe"
  | "getSubscription"
  | "listSubscriptions"
  | "updateSubscription"
  | "deleteSubscription"
  | "rotateSubscriptionSecret"
>;

/** The stored name of a requested scheme; not set means `v1` (the default). */
function schemeName(field: string, scheme: SignatureScheme): SignatureSchemeName {
  const name = scheme === SignatureScheme.UNSPECIFIED ? "v1" : SCHEME_FROM_PROTO[scheme];
  if (name === undefined) throw new InvalidArgumentError(field, `unknown signature scheme ${scheme as number}`);
  return name;
}

export function subscriptionHandlers(deps: ApiDeps): SubscriptionHandlers {
  const { store, clock, catalog, hostRefusal, keyring } = deps;

  return {
    async subscribe(request) {
      const customerId = checkCustomerId("customer_id", request.customerId);
      const endpointUrl = checkEndpointUrl("endpoint_url", request.endpointUrl, hostRefusal);
      const eventTypes = checkEventTypes("event_types", request.eventTypes, catalog);
      checkOperationalSubscriber("event_types", eventTypes, customerId, deps.config.operationalCustomerId);
      const description = checkDescription("description", request.description);
      const scheme = schemeName("signature_scheme", request.signatureScheme);
      const rateLimit = checkRateLimit("", request.rateLimitPerSecond, request.rateLimitBurst);
      const secret = generateSecret();
      const nowMs = clock.nowMs();
      const now = new Date(nowMs);
      const id = newId("subscription");
      const row = await insertSubscription(store.db, {
        id,
        customer_id: customerId,
        endpoint_url: endpointUrl,
        event_types: eventTypes,
        enabled: request.enabled ?? true,
        description,
        signature_scheme: scheme,
        // Stored sealed (bound to this id); the plain secret is only in this answer.
        secrets: JSON.stringify([keyring.sealEntry(id, secret)] satisfies StoredSecretEntry[]),
        disabled_reason: "",
        ...rateLimit,
        ordered: request.ordered,
        created_at: now,
        updated_at: now,
      });
      return { subscription: subscriptionToProto(row, nowMs), secret };
    },

    async getSubscription(request, scope) {
      const row = await findSubscription(store.db, checkId("id", request.id, "subscription"), false, scope);
      return { subscription: subscriptionToProto(row, clock.nowMs()) };
    },

    async listSubscriptions(request) {
      const page = readPage("subscriptions", request.pageSize, request.pageToken, request.newestFirst);
      const rows = await listSubscriptions(store.db, { customerId: checkCustomerIdFilter("customer_id", request.customerId) }, page);
      const nowMs = clock.nowMs();
      const messages = new Map(rows.map((row) => [row, create(SubscriptionSchema, subscriptionToProto(row, nowMs))]));
      const { rows: shown, nextPageToken } = nextPage(rows, page, {
        maxBytes: PAGE_BYTES,
        bytesOf: (row) => repeatedFieldBytes(toBinary(SubscriptionSchema, messages.get(row)!).length),
      });
      return { subscriptions: shown.map((row) => messages.get(row)!), nextPageToken };
    },

    async updateSubscription(request, scope) {
      const input = request.subscription;
      if (!input) throw new InvalidArgumentError("subscription", "is required (with its id and the new values)");
      const id = checkId("subscription.id", input.id, "subscription");
      const paths = request.updateMask?.paths ?? [];
      if (paths.length === 0) {
        throw new InvalidArgumentError("update_mask", `must name at least one of ${[...UPDATABLE].join(", ")}`);
      }
      const patch = buildPatch(input, paths, deps);
      const nowMs = clock.nowMs();
      const now = new Date(nowMs);
      const { row, canceled, madeDue } = await transactionRetryingConflicts(store.db, async (trx) => {
        const before = await findSubscription(trx, id, "update", scope);
        if (patch.event_types) checkOperationalSubscriber("subscription.event_types", patch.event_types, before.customer_id, deps.config.operationalCustomerId);
        checkRateLimit(
          "subscription.",
          patch.rate_limit_per_second ?? before.rate_limit_per_second,
          patch.rate_limit_burst ?? before.rate_limit_burst,
        );
        // A new rate limit starts afresh: the old one's schedule (GCRA state, reserved slots) is
        // dropped. The same values again (a full mask) keep it: a fresh burst per Update would
        // let more than `rate·w + burst` through.
        const rateChanged =
          (patch.rate_limit_per_second ?? before.rate_limit_per_second) !== before.rate_limit_per_second ||
          (patch.rate_limit_burst ?? before.rate_limit_burst) !== before.rate_limit_burst;
        const row = await updateSubscription(trx, id, {
          ...patch,
          // Re-enabling clears the reason the server disabled it for; re-enabling a disabled one,
          // or a new URL (another endpoint), clears the failure record: its next failure starts a new spell.
          ...(patch.enabled === true ? { disabled_reason: "" } : {}),
          ...((patch.enabled === true && !before.enabled) || (patch.endpoint_url !== undefined && patch.endpoint_url !== before.endpoint_url)
            ? { failing_since: null, failing_warned_at: null }
            : {}),
          ...(rateChanged ? { rate_limit_tat: null } : {}),
          updated_at: now,
        });
        const canceled =
          before.enabled && patch.enabled === false
            ? await cancelPendingDeliveries(trx, id, "subscription disabled", now)
            : 0;
        const rescheduled = rateChanged ? await dropRateReservations(trx, id, now) : 0;
        // No longer ordered: what waited for its turn is due now (ordered-turns.ts).
        const released = before.ordered && !row.ordered ? await releaseWaitingDeliveries(trx, id, now) : 0;
        // Now ordered: what is pending stays active, and new ones wait until all of it ended.
        if (!before.ordered && row.ordered) await markPendingOrdered(trx, id);
        return { row, canceled, madeDue: rescheduled + released };
      });
      if (madeDue > 0) deps.deliveriesDue();
      return { subscription: subscriptionToProto(row, nowMs), canceledDeliveries: canceled };
    },

    async deleteSubscription(request, scope) {
      const id = checkId("id", request.id, "subscription");
      const now = new Date(clock.nowMs());
      const canceled = await transactionRetryingConflicts(store.db, async (trx) => {
        await findSubscription(trx, id, "update", scope);
        await updateSubscription(trx, id, { deleted_at: now, enabled: false, updated_at: now });
        return cancelPendingDeliveries(trx, id, "subscription deleted", now);
      });
      return { canceledDeliveries: canceled };
    },

    async rotateSubscriptionSecret(request, scope) {
      const id = checkId("id", request.id, "subscription");
      const grace = request.gracePeriodSeconds ?? DEFAULT_SECRET_GRACE_SECONDS;
      if (grace > MAX_SECRET_GRACE_SECONDS) {
        throw new InvalidArgumentError("grace_period_seconds", `must be at most ${MAX_SECRET_GRACE_SECONDS} (7 days), got ${grace}`);
      }
      const nowMs = clock.nowMs();
      const secret = generateSecret();
      // `secret.rotated` is stored with the rotation: its day partition first.
      if (deps.config.operationalCustomerId !== undefined) await ensurePartitionsFor(store.db, [new Date(nowMs)]);
      const { row, madeDue } = await transactionRetryingConflicts(store.db, async (trx) => {
        const before = await findSubscription(trx, id, "update", scope);
        // The current secret gets an expiry; older ones keep theirs; expired ones are dropped.
        // Grace 0 revokes them all (proto: e.g. after a leak), not only the current one. The
        // previous ones stay sealed as they are (a plain one left by an old version is sealed).
        const previous =
          grace === 0
            ? []
            : keyring.reseal(id, liveSecrets(before.secrets, nowMs), "plain").entries.map((s) =>
                s.expires_at === null ? { ...s, expires_at: nowMs + grace * 1000 } : s,
              );
        const secrets: StoredSecretEntry[] = [keyring.sealEntry(id, secret), ...previous];
        const row = await updateSubscription(trx, id, { secrets: JSON.stringify(secrets), updated_at: new Date(nowMs) });
        return { row, madeDue: await reportSecretRotation(trx, deps.config.operationalCustomerId, row, new Date(nowMs), grace) };
      });
      if (madeDue > 0) deps.deliveriesDue();
      return { subscription: subscriptionToProto(row, nowMs), secret };
    },
  };
}

function buildPatch(input: Subscription, paths: string[], deps: ApiDeps): Updateable<SubscriptionTable> {
  const patch: Updateable<SubscriptionTable> = {};
  for (const [index, path] of paths.entries()) {
    if (!UPDATABLE.has(path)) {
      throw new InvalidArgumentError(
        `update_mask.paths[${index}]`,
        `${excerpt(path)} cannot be updated; use ${[...UPDATABLE].join(", ")}`,
      );
    }
    if (path === "endpoint_url") patch.endpoint_url = checkEndpointUrl("subscription.endpoint_url", input.endpointUrl, deps.hostRefusal);
    if (path === "event_types") patch.event_types = checkEventTypes("subscription.event_types", input.eventTypes, deps.catalog);
    if (path === "enabled") patch.enabled = input.enabled;
    if (path === "description") patch.description = checkDescription("subscription.description", input.description);
    if (path === "signature_scheme") patch.signature_scheme = schemeName("subscription.signature_scheme", input.signatureScheme);
    if (path === "ordered") patch.ordered = input.ordered;
  }
  // Each value's range here; the pair (no burst without a rate) once the stored one is read.
  if (paths.includes("rate_limit_per_second")) patch.rate_limit_per_second = checkRateLimitValue("subscription.rate_limit_per_second", input.rateLimitPerSecond);
  if (paths.includes("rate_limit_burst")) patch.rate_limit_burst = checkRateLimitValue("subscription.rate_limit_burst", input.rateLimitBurst);
  // Turning the limit off drops its burst too.
  if (patch.rate_limit_per_second === 0 && patch.rate_limit_burst === undefined) patch.rate_limit_burst = 0;
  return patch;
}
