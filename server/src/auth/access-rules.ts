import type { MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { WebhookService } from "@posthorn/proto";
import { PermissionDeniedError } from "../domain/errors.js";
import { API_KEY_ROLES, type ApiKeyRoleName } from "../domain/api-key-role.js";
import { describeCaller, type Caller } from "./caller.js";

type Methods = (typeof WebhookService)["method"];
/** A method's local name, e.g. `getSubscription`. */
export type MethodName = keyof Methods;
type RequestOf<K extends MethodName> = MessageShape<Methods[K]["input"]>;
type ResponseOf<K extends MethodName> = MessageShape<Methods[K]["output"]>;

/** What a call that changed state changed: the audit record's customer (or "") and object ids. */
export interface AuditTarget {
  customerId: string;
  targetIds: string[];
}

/** Reads the audit rules need that the request and response do not carry. */
export interface AuditLookups {
  /** The customer of subscription `id`, deleted ones included ("" when there is none). */
  customerOfSubscription(id: string): Promise<string>;
}

/**
 * Who may call a method, and how a scoped caller's request is narrowed:
 * - `roles`: the roles that may call it; any other answers PERMISSION_DENIED.
 * - `narrow`: for a customer key or an emitter limited to some customers, before the handler
 *   runs: returns the request to run (e.g. a list filtered to the key's customer), or
 *   `{ answer }` to answer without running it (a list filtered to another customer is empty),
 *   or throws PermissionDeniedError. Lookups by id need no narrowing: handlers look ids up in
 *   the caller's scope (store/scope.ts), so another customer's id is NOT_FOUND like a missing one.
 * - `audit`: for a call that changes state, what its audit record names; undefined when this
 *   call changed nothing (a dry run), so no record is written.
 */
export interface AccessRule<K extends MethodName> {
  roles: readonly ApiKeyRoleName[];
  narrow?: (request: RequestOf<K>, caller: Caller) => Narrowed<RequestOf<K>, MessageInitShape<Methods[K]["output"]>>;
  audit?: (request: RequestOf<K>, response: ResponseOf<K>, lookups: AuditLookups) => AuditTarget | undefined | Promise<AuditTarget | undefined>;
}

/** A narrowed request to run, or the answer to give without running the handler. */
export type Narrowed<R, A> = { request: R } | { answer: A };

/** One rule per method of WebhookService: a method without one does not compile. */
export type AccessRules = { [K in MethodName]: AccessRule<K> };

const ADMIN = ["admin"] as const;
const EMITTERS = ["admin", "emitter"] as const;
const CUSTOMERS = ["admin", "customer"] as const;
const EVERYONE = API_KEY_ROLES;

/**
 * The access rules (proto `WebhookService`, "Access"; roles as in the contract's "Access"
 * section, after Stripe's restricted keys and Svix's app-scoped portal tokens).
 */
export const ACCESS_RULES: AccessRules = {
  emit: { roles: EMITTERS, narrow: (request, caller) => (checkEmitFor(caller, "customer_id", request.customerId), { request }) },
  emitBatch: {
    roles: EMITTERS,
    narrow: (request, caller) => {
      request.events.forEach((event, i) => checkEmitFor(caller, `events[${i}].customer_id`, event.customerId));
      return { request };
    },
  },
  listEventTypes: { roles: EVERYONE },

  subscribe: {
    roles: CUSTOMERS,
    narrow: (request, caller) => {
      if (caller.role !== "customer") return { request };
      // A customer key may leave customer_id empty: it subscribes for its own customer.
      if (request.customerId === "") return { request: { ...request, customerId: caller.customerId! } };
      if (request.customerId !== caller.customerId) {
        throw new PermissionDeniedError(`${describeCaller(caller)} may subscribe only for customer ${caller.customerId}; customer_id is another customer`);
      }
      return { request };
    },
    audit: (_, response) => subscriptionTarget(response.subscription),
  },
  getSubscription: { roles: CUSTOMERS },
  listSubscriptions: { roles: CUSTOMERS, narrow: (request, caller) => narrowToOwnCustomer(request, caller, { subscriptions: [], nextPageToken: "" }) },
  updateSubscription: { roles: CUSTOMERS, audit: (_, response) => subscriptionTarget(response.subscription) },
  deleteSubscription: {
    roles: CUSTOMERS,
    audit: async (request, _, lookups) => ({ customerId: await lookups.customerOfSubscription(request.id), targetIds: [request.id] }),
  },
  rotateSubscriptionSecret: { roles: CUSTOMERS, audit: (_, response) => subscriptionTarget(response.subscription) },
  getSubscriptionSecret: {
    roles: CUSTOMERS,
    audit: async (request, _, lookups) => ({ customerId: await lookups.customerOfSubscription(request.id), targetIds: [request.id] }),
  },

  getEvent: { roles: CUSTOMERS },
  listEvents: { roles: CUSTOMERS, narrow: (request, caller) => narrowToOwnCustomer(request, caller, { events: [], nextPageToken: "" }) },
  getDelivery: { roles: CUSTOMERS },
  listDeliveries: { roles: CUSTOMERS, narrow: (request, caller) => narrowToOwnCustomer(request, caller, { deliveries: [], nextPageToken: "" }) },
  retryDelivery: {
    roles: CUSTOMERS,
    audit: (request, response) => ({ customerId: response.delivery?.customerId ?? "", targetIds: [request.id] }),
  },
  recoverFailedDeliveries: {
    roles: CUSTOMERS,
    audit: async (request, _, lookups) => ({
      customerId: await lookups.customerOfSubscription(request.subscriptionId),
      targetIds: [request.subscriptionId],
    }),
  },
  // Narrowed in the stream itself (grpc-server.ts): only the key's customer's attempts are sent.
  watchDeliveries: { roles: CUSTOMERS },
  sendTestEvent: {
    roles: CUSTOMERS,
    audit: (request, response) => ({ customerId: response.event?.customerId ?? "", targetIds: [request.subscriptionId, response.event?.id ?? ""] }),
  },

  createApiKey: {
    roles: ADMIN,
    audit: (_, response) => ({ customerId: response.apiKey?.customerId ?? "", targetIds: [response.apiKey?.id ?? ""] }),
  },
  listApiKeys: { roles: ADMIN },
  revokeApiKey: {
    roles: ADMIN,
    audit: (request, response) => ({ customerId: response.apiKey?.customerId ?? "", targetIds: [request.id] }),
  },
  listAuditRecords: { roles: ADMIN },
  createPortalSession: {
    roles: ADMIN,
    audit: (request, response) => ({ customerId: request.customerId, targetIds: [response.apiKey?.id ?? ""] }),
  },
  getStorage: { roles: ADMIN },
  // Recorded only when partitions were dropped: a dry run, or a prune with nothing due, changed nothing.
  pruneStorage: {
    roles: ADMIN,
    audit: (request, response) =>
      request.dryRun || response.dropped.length === 0
        ? undefined
        : { customerId: "", targetIds: response.dropped.flatMap((day) => day.partitions.map((p) => p.name)) },
  },
};

/**
 * Whether `caller` may call the method of `rule` at all.
 * @throws PermissionDeniedError naming the key, its role and the roles that may.
 */
export function checkRole(rule: AccessRule<MethodName>, caller: Caller, methodName: string): void {
  if (rule.roles.includes(caller.role)) return;
  throw new PermissionDeniedError(`${describeCaller(caller)} may not call ${methodName}; it needs a key with role ${rule.roles.join(" or ")}`);
}

/** An emitter limited to some customers emits only for them. */
function checkEmitFor(caller: Caller, field: string, customerId: string): void {
  if (caller.role !== "emitter" || caller.emitCustomerIds.length === 0 || caller.emitCustomerIds.includes(customerId)) return;
  throw new PermissionDeniedError(
    `${describeCaller(caller)} may emit only for customers ${caller.emitCustomerIds.join(", ")}; ${field} is another customer`,
  );
}

/**
 * A list request of a customer key: its `customer_id` filter becomes the key's customer; a filter
 * naming another customer lists nothing (`empty`), as that customer's rows do not exist for it.
 */
function narrowToOwnCustomer<R extends { customerId: string }, A>(request: R, caller: Caller, empty: A): Narrowed<R, A> {
  if (caller.role !== "customer") return { request };
  if (request.customerId !== "" && request.customerId !== caller.customerId) return { answer: empty };
  return { request: { ...request, customerId: caller.customerId! } };
}

function subscriptionTarget(subscription: { id: string; customerId: string } | undefined): AuditTarget {
  return { customerId: subscription?.customerId ?? "", targetIds: [subscription?.id ?? ""] };
}
