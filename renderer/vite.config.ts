import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));
/** The one way the renderer reaches the engine: `$engine/contract.js` etc. (eslint.config.js says which modules). */
export const engineAlias = { $engine: fileURLToPath(new URL('../benchmarks', import.meta.url)) };

export default defineConfig({
  root: rendererRoot,
  // Relative asset URLs: the same build loads from file:// in Electron and from / over HTTP.
  base: './',
  plugins: [svelte()],
  resolve: { alias: engineAlias },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  // `npm run dev:renderer` against a running `transfer-bench serve` (default port 5917, or TB_SERVE_URL).
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.TB_SERVE_URL ?? 'http://127.0.0.1:5917', changeOrigin: true } },
  },
});
