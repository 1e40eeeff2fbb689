import type { BackendInfo } from '../backend/select-backend.js';
import type { TrialResult } from '../domain.js';
import { errorMessage } from '../errors.js';
import { failedResult } from './failed-result.js';
import type { TrialJob } from './jobs.js';
import { cachedModel, cachedTask, cachedTaskFile } from './task-cache.js';
import { needsBaseModel, trainTrial, type TrialCallbacks } from './train-trial.js';

export { needsBaseModel, type TrialCallbacks } from './train-trial.js';

/** Runs one trial to the end in this process. Never throws: a failure is a `failed` result carrying the error. */
export async function runTrial(job: TrialJob, backend: BackendInfo, callbacks: TrialCallbacks): Promise<TrialResult> {
  const started = performance.now();
  try {
    const task = job.taskFile
      ? await cachedTaskFile(job.taskFile)
      : await cachedTask(job.spec.target.dataset, job.spec.target.testPerClass, job.baseDir);
    const baseModel = needsBaseModel(job) && job.base ? await cachedModel(job.base.path) : undefined;
    return await trainTrial({ job, task, baseModel }, backend, callbacks);
  } catch (error) {
    return failedResult(errorMessage(error), backend, (performance.now() - started) / 1000);
  }
}
