import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Delivery } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { listRequest, rangeProblem, type DeliveryFilters } from "./delivery-filters.js";

/** The delivery log's list: the pages read so far for the current filters. */
export interface DeliveryPages {
  deliveries: Delivery[];
  /** A read is under way (the first page, or the next one). */
  loading: boolean;
  /** The last read's failure, or undefined. */
  error: unknown;
  /** Whether the server has more (older) deliveries for these filters. */
  hasMore: boolean;
  loadMore: () => void;
  /** Reads the first page again (after a retry or a recovery). */
  reload: () => void;
  /** Puts a changed delivery (RetryDelivery's answer, a refreshed one) in place of its row. */
  replace: (delivery: Delivery) => void;
}

/**
 * Reads the first page whenever the filters change and further pages on request. A read that a
 * newer one overtook (the filters changed meanwhile) is aborted and its answer dropped, so the
 * list always matches the filters shown.
 */
export function useDeliveryPages(api: Api, filters: DeliveryFilters): DeliveryPages {
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [nextToken, setNextToken] = useState("");
  const [generation, setGeneration] = useState(0);
  const current = useRef<AbortController | undefined>(undefined);

  const read = useCallback(
    async (pageToken: string) => {
      current.current?.abort();
      const abort = new AbortController();
      current.current = abort;
      const problem = rangeProblem(filters);
      if (problem !== undefined) {
        setError(new Error(problem));
        setLoading(false);
        return;
      }
      setLoading(true);
      setError(undefined);
      try {
        const page = await api.listDeliveries(listRequest(filters, pageToken), { signal: abort.signal });
        if (abort.signal.aborted) return;
        setDeliveries((shown) => (pageToken === "" ? page.deliveries : [...shown, ...page.deliveries]));
        setNextToken(page.nextPageToken);
      } catch (failure) {
        if (abort.signal.aborted) return;
        setError(failure);
      }
      setLoading(false);
    },
    [api, filters],
  );

  useEffect(() => {
    setDeliveries([]);
    setNextToken("");
    void read("");
    return () => current.current?.abort();
  }, [read, generation]);

  return {
    deliveries,
    loading,
    error,
    hasMore: nextToken !== "",
    loadMore: () => void read(nextToken),
    reload: () => setGeneration((n) => n + 1),
    replace: (delivery) => setDeliveries((shown) => shown.map((d) => (d.id === delivery.id ? delivery : d))),
  };
}
