import { createApi } from "./api.js";
import { takeSessionKey } from "./session.js";

/** The page: the session's views, or how to get a session when there is none. */
export function App() {
  const key = takeSessionKey();
  if (key === undefined) {
    return (
      <main>
        <h1>Webhooks</h1>
        <p>This page needs a portal link. Ask the service you receive webhooks from for a new one.</p>
      </main>
    );
  }
  const api = createApi(key);
  void api;
  return (
    <main>
      <h1>Webhooks</h1>
    </main>
  );
}
