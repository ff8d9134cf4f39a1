import { describe, expect, it } from "vitest";
import { apiBaseUrl } from "../../portal/src/api-base-url.js";

/** Where the page calls the API: beside /portal/, under whatever path prefix a proxy adds. */
describe("portal API base URL", () => {
  it("is the origin when the page is at /portal/, and keeps a proxy's path prefix", () => {
    expect(apiBaseUrl("http://127.0.0.1:8080", "/portal/")).toBe("http://127.0.0.1:8080");
    expect(apiBaseUrl("https://example.com", "/posthorn/portal/")).toBe("https://example.com/posthorn");
    expect(apiBaseUrl("https://example.com", "/a/b/portal/index.html")).toBe("https://example.com/a/b");
  });
});
