import { useEffect, useRef, useState } from "preact/hooks";
import { DeliveryState, type Delivery } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { STATE_WORDS } from "../ui/delivery-words.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { formatTime } from "../ui/time.js";
import { AttemptList } from "./attempt-list.js";

/** How often an open pending delivery is read again, in ms, so its next attempt shows up. */
const PENDING_REFRESH_MS = 2000;

/**
 * One delivery with its attempts (GetDelivery), a Retry button, and a Close button. While the
 * delivery is pending it is read again every 2 s; each fresh copy also goes to `onChanged` so the
 * log's row agrees. Focus moves to the heading when it opens (keyboard and screen reader users
 * land on what they asked for).
 */
export function DeliveryDetail({ api, id, onChanged, onClose }: { api: Api; id: string; onChanged: (delivery: Delivery) => void; onClose: () => void }) {
  const [delivery, setDelivery] = useState<Delivery | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [retrying, setRetrying] = useState(false);
  const [notice, setNotice] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);

  const show = (fresh: Delivery) => {
    setDelivery(fresh);
    onChanged(fresh);
  };

  useEffect(() => {
    heading.current?.focus();
    setDelivery(undefined);
    setNotice("");
  }, [id]);

  const pending = delivery === undefined || delivery.state === DeliveryState.PENDING;
  useEffect(() => {
    if (!pending) return;
    const abort = new AbortController();
    const read = async () => {
      try {
        const answer = await api.getDelivery({ id }, { signal: abort.signal });
        if (abort.signal.aborted || answer.delivery === undefined) return;
        setError(undefined);
        show(answer.delivery);
      } catch (failure) {
        if (!abort.signal.aborted) setError(failure);
      }
    };
    void read();
    const timer = setInterval(() => void read(), PENDING_REFRESH_MS);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [api, id, pending]);

  const retry = async () => {
    setRetrying(true);
    setNotice("");
    try {
      const answer = await api.retryDelivery({ id });
      if (answer.delivery) show(answer.delivery);
      setError(undefined);
      setNotice("Queued for another attempt.");
    } catch (failure) {
      setError(failure);
    }
    setRetrying(false);
  };

  return (
    <section class="detail" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`} ref={heading} tabIndex={-1}>
        Delivery {id}
      </h3>
      <div class="actions">
        <button type="button" onClick={() => void retry()} disabled={retrying || delivery === undefined}>
          {retrying ? "Retrying…" : "Retry"}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p role="status">{notice}</p>
      <ErrorNotice error={error} />
      {delivery === undefined && error === undefined && <p>Loading…</p>}
      {delivery !== undefined && (
        <>
          <dl class="summary">
            <dt>Event</dt>
            <dd>
              {delivery.eventType} <code>{delivery.eventId}</code>
            </dd>
            <dt>Endpoint</dt>
            <dd class="url">{delivery.endpointUrl}</dd>
            <dt>State</dt>
            <dd>
              {STATE_WORDS[delivery.state]}
              {delivery.finalReason !== "" && `: ${delivery.finalReason}`}
            </dd>
            {delivery.nextAttemptTime !== undefined && (
              <>
                <dt>Next attempt</dt>
                <dd>{formatTime(delivery.nextAttemptTime)}</dd>
              </>
            )}
            <dt>Attempts</dt>
            <dd>{delivery.attemptCount}</dd>
          </dl>
          <AttemptList attempts={delivery.attempts} />
        </>
      )}
    </section>
  );
}
