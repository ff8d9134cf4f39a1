/**
 * The Endpoints view's pure rules: which update_mask paths an edit sends, and how the recent
 * success rate reads.
 */
import { create } from "@bufbuild/protobuf";
import { SignatureScheme, SubscriptionSchema } from "@posthorn/proto/schema";
import { describe, expect, it } from "vitest";
import { changedPaths, draftOf } from "../../portal/src/endpoints/draft.js";
import { formatRate } from "../../portal/src/endpoints/format-rate.js";

const subscription = create(SubscriptionSchema, {
  id: "sub_000000000000000000000001",
  endpointUrl: "https://example.com/hook",
  description: "billing",
  eventTypes: ["lead.created", "lead.updated"],
  signatureScheme: SignatureScheme.UNSPECIFIED,
});

describe("changedPaths", () => {
  it("names nothing for an untouched draft (an unset scheme reads as v1, the server's default)", () => {
    expect(changedPaths(subscription, draftOf(subscription))).toEqual([]);
  });

  it("names each changed field by its proto name", () => {
    const draft = { url: "https://example.com/other", description: "", eventTypes: ["lead.created"], scheme: SignatureScheme.STANDARD_WEBHOOKS };
    expect(changedPaths(subscription, draft)).toEqual(["endpoint_url", "description", "event_types", "signature_scheme"]);
  });

  it("compares event types as a set: the same types in another order are no change", () => {
    const draft = { ...draftOf(subscription), eventTypes: ["lead.updated", "lead.created"] };
    expect(changedPaths(subscription, draft)).toEqual([]);
  });

  it("clearing every type (= all types) is a change of event_types", () => {
    expect(changedPaths(subscription, { ...draftOf(subscription), eventTypes: [] })).toEqual(["event_types"]);
  });
});

describe("formatRate", () => {
  it("is a dash when nothing finished", () => {
    expect(formatRate(0, 0)).toBe("—");
  });

  it("rounds to a whole percent and shows the counts", () => {
    expect(formatRate(2, 3)).toBe("67 % (2 of 3)");
    expect(formatRate(50, 50)).toBe("100 % (50 of 50)");
  });
});
