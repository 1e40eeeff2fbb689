import { nodeForker } from '../runner/worker-process.js';
import { autoBrowserBackend } from './auto-gpu.js';
import type { GpuWorkers } from './gpu-forker.js';
import { gpuWorkerModule } from './gpu-worker-process.js';

/** GPU workers for the CLI and `serve`: a Node process per worker, each driving a page of a headless Chromium. */
export const chromiumGpuWorkers: GpuWorkers = {
  fork: () => {
    const { path, execArgv } = gpuWorkerModule();
    return nodeForker(path, execArgv);
  },
  autoBackend: () => autoBrowserBackend().catch(() => null),
};
