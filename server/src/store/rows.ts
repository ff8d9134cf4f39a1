import type { Selectable } from "kysely";
import type { ApiKeyTable, AttemptTable, AuditRecordTable, DeliveryTable, EventTable, SubscriptionTable } from "./schema.js";

/** Rows as read from the store. */
export type SubscriptionRow = Selectable<SubscriptionTable>;
/** An event as the API reads it; its trace context is read only by the claim (store/sql/claim-deliveries.ts). */
export type EventRow = Omit<Selectable<EventTable>, "traceparent" | "tracestate">;
export type DeliveryRow = Selectable<DeliveryTable>;
export type AttemptRow = Selectable<AttemptTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type AuditRecordRow = Selectable<AuditRecordTable>;

/** A delivery with its attempts, oldest first. */
export type DeliveryWithAttempts = DeliveryRow & { attempts: AttemptRow[] };
