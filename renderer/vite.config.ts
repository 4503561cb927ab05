/**
 * Builds the renderer into dist/renderer at the repository root. The output must run under a strict
 * CSP (default-src 'self'; script-src 'self'; style-src 'self'), from Electron's custom protocol and
 * from the browser-mode bridge alike, so: relative asset URLs, and nothing inlined.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Node ≥ 20.11 sets import.meta.dirname, and Vite's config bundler does too; no node: import needed.
const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    // A data: URI for a small asset would be refused by default-src 'self'.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: { strictPort: false },
});
