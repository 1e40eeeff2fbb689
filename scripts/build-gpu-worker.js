#!/usr/bin/env node
/**
 * `npm run build:gpu-worker`: bundles the browser side of the GPU workers (benchmarks/gpu/page/page-worker.ts, which
 * trains with the same train/ modules as the Node workers) into dist/gpu/page-worker.js beside the page that loads
 * it, and the hidden Electron window's preload into dist/electron/gpu-preload.cjs.
 * Tests call buildGpuWorker(outDir) to build a fresh copy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const GPU_PAGE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; connect-src 'self'" />
    <title>Transfer Bench GPU worker</title>
    <script src="./page-worker.js"></script>
  </head>
  <body></body>
</html>
`;

/** Writes page-worker.js and gpu-page.html into `gpuDir` (default dist/gpu). */
export async function buildGpuWorker(gpuDir = join(root, 'dist', 'gpu')) {
  mkdirSync(gpuDir, { recursive: true });
  await build({
    entryPoints: [join(root, 'benchmarks', 'gpu', 'page', 'page-worker.ts')],
    bundle: true,
    // a classic script: Chromium refuses module scripts from file:// (the Electron window loads it from disk)
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outfile: join(gpuDir, 'page-worker.js'),
    logLevel: 'warning',
    // tfjs-core's Node-only helpers are behind runtime checks; the browser build never reaches them.
    external: ['node:*'],
  });
  writeFileSync(join(gpuDir, 'gpu-page.html'), GPU_PAGE_HTML);
}

export async function buildGpuPreload(outfile = join(root, 'dist', 'electron', 'gpu-preload.cjs')) {
  await build({
    entryPoints: [join(root, 'electron', 'gpu-preload.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'chrome130',
    external: ['electron'],
    outfile,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildGpuWorker();
  await buildGpuPreload();
}
