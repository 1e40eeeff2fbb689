/**
 * What a shell needs to host GPU workers itself (the desktop app: hidden windows instead of headless Chromium
 * pages). The engine's side of them lives in benchmarks/gpu/.
 */
export { autoBrowserBackend, once, pickBrowserBackend, probeAdapters, unprobedReport } from '../gpu/auto-gpu.js';
export type { GpuReport } from '../gpu/auto-gpu.js';
export { isBrowserBackend } from '../gpu/browser-backends.js';
export { withGpuWorkers, type GpuWorkers } from '../gpu/gpu-forker.js';
export type { PageChannel, PageOpener } from '../gpu/page-channel.js';
export type { FromPage, ToPage } from '../gpu/page-protocol.js';
export { pageWorkerHandle } from '../gpu/page-worker-handle.js';
export { extraChromiumArgs, parseSwitches } from '../gpu/chromium-switches.js';
