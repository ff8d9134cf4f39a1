import { defineConfig } from "vite";

/**
 * The portal is served by the server at /portal/ (server/src/api/…), so every asset URL is
 * relative to that base. No inline scripts or styles (the page's Content-Security-Policy has no
 * 'unsafe-inline'), no source maps in the shipped build, no module preload polyfill (an inline
 * script).
 */
export default defineConfig({
  base: "/portal/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
});
