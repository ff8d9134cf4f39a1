import { defineConfig } from "vite";

/**
 * The portal is served by the server at /portal/ (server/src/api/portal-files.ts), possibly behind
 * a proxy under a path prefix (POSTHORN_PUBLIC_URL), so asset URLs are relative (`./assets/…`). No inline scripts or styles (the page's Content-Security-Policy has no
 * 'unsafe-inline'), no source maps in the shipped build, no module preload polyfill (an inline
 * script).
 */
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
});
