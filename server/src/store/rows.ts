import type { Selectable } from "kysely";
import type { AttemptTable, DeliveryTable, EventTable, SubscriptionTable } from "./schema.js";

/** Rows as read from the store. */
export type SubscriptionRow = Selectable<SubscriptionTable>;
export type EventRow = Selectable<EventTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type AttemptRow = Selectable<AttemptTable>;

/** A delivery with its attempts, oldest first. */
export type DeliveryWithAttempts = DeliveryRow & { attempts: AttemptRow[] };
