/**
 * Where the API is: the page's own origin and the path the page sits under, minus `portal/…`
 * (`https://example.com/posthorn/portal/` calls `https://example.com/posthorn/posthorn.v1.…`), so a
 * proxy serving Posthorn under a path prefix works.
 */
export function apiBaseUrl(origin: string, pathname: string): string {
  return origin + pathname.replace(/portal\/[^]*$/, "").replace(/\/$/, "");
}
