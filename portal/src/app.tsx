import { useState } from "preact/hooks";
import { createApi } from "./api.js";
import { DeliveriesView } from "./deliveries/deliveries-view.js";
import { EndpointsView } from "./endpoints/endpoints-view.js";
import { LiveView } from "./live/live-view.js";
import { takeSessionKey } from "./session.js";
import "./ui/controls.css";

const VIEWS = { endpoints: "Endpoints", deliveries: "Delivery log", live: "Live" } as const;
type ViewName = keyof typeof VIEWS;

/** The page: the session's views (tabs), or how to get a session when there is none. */
export function App() {
  const [session] = useState(takeSessionKey);
  const [api] = useState(() => ("key" in session ? createApi(session.key) : undefined));
  const [view, setView] = useState<ViewName>("endpoints");
  if (api === undefined) {
    return (
      <main>
        <h1>Webhooks</h1>
        <p role="alert">
          {"missing" in session && session.missing === "damaged-link"
            ? "This portal link is incomplete (it may have been cut off when it was copied). Open the whole link, or ask the service you receive webhooks from for a new one."
            : "This page needs a portal link. Ask the service you receive webhooks from for a new one."}
        </p>
      </main>
    );
  }
  return (
    <main>
      <h1>Webhooks</h1>
      <nav aria-label="Views">
        {(Object.keys(VIEWS) as ViewName[]).map((name) => (
          <button key={name} type="button" aria-current={view === name ? "page" : undefined} onClick={() => setView(name)}>
            {VIEWS[name]}
          </button>
        ))}
      </nav>
      {view === "endpoints" && <EndpointsView api={api} />}
      {view === "deliveries" && <DeliveriesView api={api} />}
      {view === "live" && <LiveView api={api} />}
    </main>
  );
}
