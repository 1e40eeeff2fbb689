import { availableParallelism } from 'node:os';
import type { BackendName } from '../domain.js';
import { UserError } from '../errors.js';

/**
 * The one limit on worker processes, for the CLI, the HTTP API and the app alike. Each worker keeps a core busy
 * (wasm and cpu are single-threaded; the TensorFlow backends use several threads each), so more workers than
 * cores only compete for the same cores and add a process's memory each (about 200 MB with its data).
 */
export function maxWorkers(): number {
  return availableParallelism();
}

/** A UserError when `requested` is above the limit; nothing otherwise. */
export function checkWorkerCount(requested: number | undefined): void {
  if (requested === undefined) return;
  const max = maxWorkers();
  if (!Number.isInteger(requested) || requested < 1 || requested > max) {
    throw new UserError(
      `workers ${requested}: give a whole number from 1 to ${max} (this machine has ${max} cores; one worker process per core at most)`,
    );
  }
}

/**
 * Worker processes for a run: the requested number (checked against the limit), by default one per core on the
 * single-threaded CPU backends (wasm, cpu) and one on the TensorFlow backends; never more than the trials to run.
 */
export function workerCount(requested: number | undefined, backend: BackendName, trialsToRun: number): number {
  checkWorkerCount(requested);
  const wanted = requested ?? (backend === 'wasm' || backend === 'cpu' ? maxWorkers() : 1);
  return Math.max(1, Math.min(wanted, trialsToRun));
}
