import type { Selectable } from "kysely";
import type { ApiKeyTable, AttemptTable, AuditRecordTable, DeliveryTable, EventTable, SubscriptionTable } from "./schema.js";

/** Rows as read from the store. */
export type SubscriptionRow = Selectable<SubscriptionTable>;
export type EventRow = Selectable<EventTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type AttemptRow = Selectable<AttemptTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type AuditRecordRow = Selectable<AuditRecordTable>;

/** A delivery with its attempts, oldest first. */
export type DeliveryWithAttempts = DeliveryRow & { attempts: AttemptRow[] };
