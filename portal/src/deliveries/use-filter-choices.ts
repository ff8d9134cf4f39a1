import { useEffect, useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";

/** The event type of SendTestEvent's events: not in the catalog, but in the log. */
export const TEST_EVENT_TYPE = "posthorn.test";

/** Pages of endpoints read at most: a customer with more than 5,000 endpoints filters by the first ones. */
const MAX_ENDPOINT_PAGES = 5;

/** What the filters offer: the customer's endpoints and the event types. */
export interface FilterChoices {
  endpoints: Subscription[];
  eventTypes: string[];
  /** The endpoints or the catalog could not be read (the filters then offer "any" only). */
  error: unknown;
}

/** Reads the customer's endpoints (oldest first, as registered) and the catalog once, when the view opens. */
export function useFilterChoices(api: Api): FilterChoices {
  const [choices, setChoices] = useState<FilterChoices>({ endpoints: [], eventTypes: [TEST_EVENT_TYPE], error: undefined });
  useEffect(() => {
    const abort = new AbortController();
    const signal = abort.signal;
    void (async () => {
      try {
        const endpoints: Subscription[] = [];
        let pageToken = "";
        for (let pages = 0; pages < MAX_ENDPOINT_PAGES; pages++) {
          const page = await api.listSubscriptions({ pageSize: 1000, pageToken }, { signal });
          endpoints.push(...page.subscriptions);
          pageToken = page.nextPageToken;
          if (pageToken === "") break;
        }
        const { eventTypes } = await api.listEventTypes({}, { signal });
        if (!signal.aborted) setChoices({ endpoints, eventTypes: [...eventTypes, TEST_EVENT_TYPE], error: undefined });
      } catch (error) {
        if (!signal.aborted) setChoices((shown) => ({ ...shown, error }));
      }
    })();
    return () => abort.abort();
  }, [api]);
  return choices;
}
