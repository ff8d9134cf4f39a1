import { SignatureScheme, type Subscription } from "@posthorn/proto/schema";

/** What the add and edit forms hold: a subscription's editable fields. */
export interface Draft {
  url: string;
  description: string;
  /** Empty means every type (the API's rule for `event_types`). */
  eventTypes: string[];
  scheme: SignatureScheme;
}

/** A blank draft for the add form; v1 is the server's default scheme. */
export const EMPTY_DRAFT: Draft = { url: "", description: "", eventTypes: [], scheme: SignatureScheme.V1 };

/** The draft of an existing subscription, for its edit form. */
export function draftOf(subscription: Subscription): Draft {
  return {
    url: subscription.endpointUrl,
    description: subscription.description,
    eventTypes: [...subscription.eventTypes],
    scheme: subscription.signatureScheme === SignatureScheme.STANDARD_WEBHOOKS ? SignatureScheme.STANDARD_WEBHOOKS : SignatureScheme.V1,
  };
}

/**
 * The UpdateSubscription `update_mask` paths (proto field names) whose values differ between
 * the subscription and the draft; event types compare as sets.
 */
export function changedPaths(subscription: Subscription, draft: Draft): string[] {
  const before = draftOf(subscription);
  const paths: string[] = [];
  if (draft.url !== before.url) paths.push("endpoint_url");
  if (draft.description !== before.description) paths.push("description");
  const sameTypes = draft.eventTypes.length === before.eventTypes.length && draft.eventTypes.every((t) => before.eventTypes.includes(t));
  if (!sameTypes) paths.push("event_types");
  if (draft.scheme !== before.scheme) paths.push("signature_scheme");
  return paths;
}

/** The scheme's name as the page shows it. */
export function schemeName(scheme: SignatureScheme): string {
  return scheme === SignatureScheme.STANDARD_WEBHOOKS ? "Standard Webhooks" : "Stripe-compatible (v1)";
}
