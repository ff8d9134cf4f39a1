/**
 * Reads pages until `limit` items are collected or the last page is reached. `fetchPage` gets
 * the page token ("" first) and the page size to ask for (at most 1000, the API's maximum).
 */
export async function collectPages<T>(
  limit: number,
  fetchPage: (pageToken: string, pageSize: number) => Promise<{ items: T[]; nextPageToken: string }>,
): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let token = "";
  for (;;) {
    const page = await fetchPage(token, Math.min(1000, limit - items.length));
    items.push(...page.items.slice(0, limit - items.length));
    token = page.nextPageToken;
    if (token === "" || items.length >= limit) return { items, more: token !== "" };
  }
}
