import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { AttemptErrorKind, DeliveryAttemptSchema, DeliveryState } from "@posthorn/proto/schema";
import { isUnfiltered, listRequest, NO_FILTERS, rangeProblem } from "../../portal/src/deliveries/delivery-filters.js";
import { attemptResult, errorKindWords } from "../../portal/src/ui/delivery-words.js";
import { localInputValue, timestampFromLocalInput } from "../../portal/src/ui/local-time-input.js";

/** The delivery log's pure rules (the page itself is tested in a real browser). */
describe("portal delivery log rules", () => {
  it("reads datetime-local values as the reader's local time, and writes them back to the minute", () => {
    const at = new Date(2026, 11, 3, 21, 5, 42);
    const value = localInputValue(at);
    expect(value).toBe("2026-12-03T21:05");
    expect(timestampDate(timestampFromLocalInput(value)!)).toEqual(new Date(2026, 11, 3, 21, 5));
    expect(timestampFromLocalInput("")).toBeUndefined();
    expect(timestampFromLocalInput("not a time")).toBeUndefined();
  });

  it("asks newest first with the filters, and no customer id (the key's customer is implied)", () => {
    const request = listRequest({ subscriptionId: "sub_x", state: DeliveryState.FAILED, eventType: "posthorn.test", from: "2026-12-03T10:00", to: "" }, "tok");
    expect(request).toMatchObject({ subscriptionId: "sub_x", state: DeliveryState.FAILED, eventType: "posthorn.test", newestFirst: true, pageToken: "tok", createdBefore: undefined });
    expect(request).not.toHaveProperty("customerId");
    expect(timestampDate(request.createdAfter as never)).toEqual(new Date(2026, 11, 3, 10, 0));
  });

  it("says an empty time range before asking; a range of one minute or more is fine", () => {
    expect(rangeProblem({ ...NO_FILTERS, from: "2026-12-03T10:00", to: "2026-12-03T10:00" })).toBe("“To” must be later than “From”.");
    expect(rangeProblem({ ...NO_FILTERS, from: "2026-12-03T10:01", to: "2026-12-03T10:00" })).toBeDefined();
    expect(rangeProblem({ ...NO_FILTERS, from: "2026-12-03T10:00", to: "2026-12-03T10:01" })).toBeUndefined();
    expect(rangeProblem({ ...NO_FILTERS, from: "2026-12-03T10:00" })).toBeUndefined();
  });

  it("counts filters set back to 'any' as no filters", () => {
    expect(isUnfiltered({ ...NO_FILTERS })).toBe(true);
    expect(isUnfiltered({ ...NO_FILTERS, eventType: "deal.won" })).toBe(false);
    expect(isUnfiltered({ ...NO_FILTERS, to: "2026-12-03T10:00" })).toBe(false);
  });

  it("words an attempt's result: the status, the error kind, or both", () => {
    const attempt = (fields: object) => create(DeliveryAttemptSchema, fields);
    expect(attemptResult(attempt({ statusCode: 500 }))).toBe("HTTP 500");
    expect(attemptResult(attempt({ errorKind: AttemptErrorKind.CONNECTION_REFUSED }))).toBe("connection refused");
    expect(attemptResult(attempt({ statusCode: 301, errorKind: AttemptErrorKind.OTHER }))).toBe("HTTP 301, other");
    expect(attemptResult(attempt({}))).toBe("no response");
    expect(errorKindWords(AttemptErrorKind.UNSPECIFIED)).toBe("");
    expect(errorKindWords(99 as AttemptErrorKind)).toBe("error 99");
  });
});
