/**
 * What a shell needs to host GPU workers itself (the desktop app: hidden windows instead of headless Chromium
 * pages). The engine's side of them lives in benchmarks/gpu/.
 */
export { pickBrowserBackend, probeAdapters } from '../gpu/auto-gpu.js';
export { isBrowserBackend } from '../gpu/browser-backends.js';
export { withGpuWorkers, type GpuWorkers } from '../gpu/gpu-forker.js';
export type { PageChannel, PageOpener } from '../gpu/page-channel.js';
export type { FromPage, ToPage } from '../gpu/page-protocol.js';
export { pageWorkerHandle } from '../gpu/page-worker-handle.js';
