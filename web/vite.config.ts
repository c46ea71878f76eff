/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves the built SPA and the API on one origin; in `npm run dev` the API calls
// (always relative /api/...) are passed to a locally running gateway.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/api": { target: "http://127.0.0.1:8080", changeOrigin: false } },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
    // Libraries change less often than the app: separate chunks stay cached across releases.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "mantine", test: /node_modules[\\/]@mantine/ },
            // Markdown rendering is needed only on a document page, which is loaded lazily.
            {
              name: "markdown",
              test: /node_modules[\\/](react-markdown|remark-|micromark|mdast-|unified|hast-|unist-|vfile|property-information|space-separated-tokens|comma-separated-tokens|decode-named-character-reference|character-entities|devlop|bail|trough|is-plain-obj|zwitch|longest-streak|markdown-table|ccount|escape-string-regexp|html-url-attributes|trim-lines|estree-util|style-to-|inline-style-parser|@ungap|extend)/,
            },
            { name: "vendor", test: /node_modules/ },
          ],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
  },
});
