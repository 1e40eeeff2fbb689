import { nodeForker } from '../runner/worker-process.js';
import { autoBrowserBackend, chromiumReport, once } from './auto-gpu.js';
import type { GpuWorkers } from './gpu-forker.js';
import { gpuWorkerModule } from './gpu-worker-module.js';

/** The system Chromium's adapters, probed once per process (and cached on disk across processes). */
const probe = once(() => chromiumReport());

/** GPU workers for the CLI and `serve`: a Node process per worker, each driving a page of a headless Chromium. */
export const chromiumGpuWorkers: GpuWorkers = {
  fork: () => {
    const { path, execArgv } = gpuWorkerModule();
    return nodeForker(path, execArgv);
  },
  probe,
  autoBackend: () => autoBrowserBackend(probe).catch(() => null),
};
