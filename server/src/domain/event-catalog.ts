/**
 * The default event catalog: the reference module's taxonomy (`EVENT_TYPES`), in its order.
 * Operators replace it with the `POSTHORN_EVENT_TYPES` setting.
 */
export const DEFAULT_EVENT_TYPES: readonly string[] = [
  "lead.created",
  "lead.qualified",
  "lead.disqualified",
  "lead.enriched",
  "draft.created",
  "draft.approved",
  "draft.sent",
  "reply.received",
  "reply.classified",
  "demo.booked",
  "demo.held",
  "deal.created",
  "deal.won",
  "deal.lost",
  "payment.received",
  "health.changed",
  "churn.predicted",
  "qbr.generated",
  "pulse.published",
];
