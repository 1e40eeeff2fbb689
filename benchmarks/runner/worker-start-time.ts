/**
 * What a run pays before a worker's first trial: starting the worker process and loading TensorFlow.js and its backend
 * in it, measured by starting one (the run-time estimate counts it, builder/estimate.ts).
 */
import type { BackendChoice } from '../domain.js';
import { LiveWorker } from './live-worker.js';
import type { WorkerForker } from './worker-process.js';

/** Seconds from forking a worker to its "ready" on `backend`; the worker is stopped at once. */
export async function measureWorkerStart(forker: WorkerForker, backend: BackendChoice): Promise<number> {
  const started = performance.now();
  const worker = await LiveWorker.start(forker, backend);
  const seconds = (performance.now() - started) / 1000;
  worker.kill();
  return seconds;
}
