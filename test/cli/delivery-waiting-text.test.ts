/**
 * The delivery commands on a delivery of an ordered subscription that waits for its turn
 * (PENDING without a next attempt time): they say it waits, not `next -`.
 */
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeliverySchema, DeliveryState } from "@posthorn/proto";
import { deliveryLines } from "../../server/src/cli/delivery-get-command.js";
import { deliveryWhen } from "../../server/src/cli/delivery-text.js";

const base = { id: "dlv_1", eventId: "evt_1", eventType: "lead.created", customerId: "cus_1", endpointUrl: "https://example.com/hook" };

describe("a waiting delivery in the delivery commands", () => {
  it("says it waits for its turn, in the table and in `deliveries get`", () => {
    const waiting = create(DeliverySchema, { ...base, state: DeliveryState.PENDING });
    expect(deliveryWhen(waiting)).toBe("waiting for its turn (ordered)");
    expect(deliveryLines(waiting)[1]).toBe("State         pending (waiting for its turn (ordered))");
  });

  it("a due one still shows its next attempt time, an ended one its update time", () => {
    const due = create(DeliverySchema, { ...base, state: DeliveryState.PENDING, nextAttemptTime: timestampFromMs(Date.UTC(2026, 11, 4, 16, 0, 0)) });
    expect(deliveryWhen(due)).toBe("next 2026-12-04 16:00:00");
    expect(deliveryLines(due)[1]).toBe("State         pending (next attempt 2026-12-04 16:00:00 UTC)");
    const done = create(DeliverySchema, { ...base, state: DeliveryState.SUCCEEDED, updateTime: timestampFromMs(Date.UTC(2026, 11, 4, 16, 0, 1)) });
    expect(deliveryLines(done)[1]).toBe("State         succeeded (updated 2026-12-04 16:00:01 UTC)");
  });
});
