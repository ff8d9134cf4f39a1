/**
 * The portal session: the customer key that `CreatePortalSession` put in the URL fragment
 * (`/portal/#key=phk_…`). Browsers never send a fragment to a server, so the key reaches no
 * server log or proxy. On load the key moves to this tab's sessionStorage and the fragment is
 * erased from the address bar and the history entry, so a copied address or a screenshot does not
 * carry it. No cookie is ever set: every call carries the key as a bearer header, so there is no
 * CSRF surface.
 */
const STORAGE_KEY = "posthorn.portal.key";
const KEY_SHAPE = /^phk_[A-Za-z0-9_-]{32,128}$/;

/** The session's key, or why there is none: no link at all, or a link cut short (e.g. by a mail client). */
export type SessionKey = { key: string } | { missing: "no-link" | "damaged-link" };

/** Takes the key from the fragment (when there is one) and returns the session's key. */
export function takeSessionKey(): SessionKey {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const fromUrl = fragment.get("key");
  if (fromUrl !== null) {
    history.replaceState(null, "", window.location.pathname + window.location.search);
    if (!KEY_SHAPE.test(fromUrl)) {
      forgetSessionKey();
      return { missing: "damaged-link" };
    }
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
  }
  const key = sessionStorage.getItem(STORAGE_KEY);
  return key === null ? { missing: "no-link" } : { key };
}

/**
 * A new portal link pasted into a tab that shows the page changes only the fragment, which does
 * not load the page again: start over with the new key.
 */
export function followNewLinks(): void {
  window.addEventListener("hashchange", () => {
    if (new URLSearchParams(window.location.hash.replace(/^#/, "")).has("key")) window.location.reload();
  });
}

/** Forgets the session's key (sign out, or the server refused it). */
export function forgetSessionKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
