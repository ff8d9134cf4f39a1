import { useCallback, useEffect, useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";

const PAGE_SIZE = 20;

/** The endpoint list as the view holds it: pages read so far, newest first. */
export interface SubscriptionList {
  items: Subscription[];
  /** True until the first page answered (or failed). */
  loading: boolean;
  /** The last list call's failure, if it failed. */
  error: unknown;
  /** Whether another page exists. */
  more: boolean;
  loadMore: () => void;
  /** Re-reads the first page (after a change elsewhere). */
  reload: () => void;
  /** Puts a changed or new subscription in place (new ones first), without a round trip. */
  put: (subscription: Subscription) => void;
  remove: (id: string) => void;
}

/**
 * Pages through the session customer's subscriptions with ListSubscriptions (newest first, so a
 * just-added endpoint is at the top). The customer key scopes the list: no customer_id is sent.
 */
export function useSubscriptions(api: Api): SubscriptionList {
  const [items, setItems] = useState<Subscription[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [token, setToken] = useState("");

  const fetchPage = useCallback(
    async (pageToken: string) => {
      setError(undefined);
      try {
        const page = await api.listSubscriptions({ pageSize: PAGE_SIZE, pageToken, newestFirst: true });
        setItems((old) => (pageToken === "" ? page.subscriptions : [...old, ...page.subscriptions]));
        setToken(page.nextPageToken);
      } catch (failure) {
        setError(failure);
      } finally {
        setLoading(false);
      }
    },
    [api],
  );

  useEffect(() => void fetchPage(""), [fetchPage]);

  return {
    items,
    loading,
    error,
    more: token !== "",
    loadMore: () => void fetchPage(token),
    reload: () => void fetchPage(""),
    put: (subscription) =>
      setItems((old) =>
        old.some((s) => s.id === subscription.id) ? old.map((s) => (s.id === subscription.id ? subscription : s)) : [subscription, ...old],
      ),
    remove: (id) => setItems((old) => old.filter((s) => s.id !== id)),
  };
}
