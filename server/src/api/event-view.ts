import { EventView } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";

/** What a response shows of an event: "basic" leaves out `data` and `envelope` (AIP-157). */
export type ViewName = "basic" | "full";

/**
 * Reads an `EventView` field: UNSPECIFIED is the method's `fallback` (BASIC for Emit and
 * EmitBatch, FULL for GetEvent and ListEvents, proto `EventView`); an unknown number (a newer
 * client, or a raw caller) is INVALID_ARGUMENT naming `field`.
 */
export function readView(field: string, view: EventView, fallback: ViewName): ViewName {
  switch (view) {
    case EventView.UNSPECIFIED:
      return fallback;
    case EventView.BASIC:
      return "basic";
    case EventView.FULL:
      return "full";
    default:
      throw new InvalidArgumentError(field, `unknown event view ${view as number}; use EVENT_VIEW_BASIC (1) or EVENT_VIEW_FULL (2)`);
  }
}
