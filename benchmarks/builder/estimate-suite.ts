/**
 * The run-time estimate of a suite that is already written (a built-in name or a suite file), before `run` starts it:
 * the estimator `init` and the New-suite screen use (estimate.ts), on the suite's own data, at the training speed
 * measured once per machine, backend and model (throughput-cache.ts).
 */
import { selectBackend } from '../backend/select-backend.js';
import type { BackendChoice } from '../domain.js';
import { architectureInputShape } from '../models/architectures.js';
import { loadModel } from '../models/model-io.js';
import { engineModelPath } from '../models/model-source.js';
import { hasNamedSources } from '../spec/sources.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { WorkBasis } from '../spec/trial-work.js';
import { pretrainCacheKey, readCachedPretrain } from '../train/pretrain-cache.js';
import { loadSourceTask } from '../train/source-task.js';
import { cachedTask } from '../train/task-cache.js';
import {
  approachFlops,
  defaultWorkers,
  estimateRun,
  measureBatchSize,
  measureThroughput,
  type RunEstimate,
  type StartupCosts,
} from './estimate.js';
import {
  cachedSeconds,
  cachedThroughput,
  throughputNow,
  cachedWorkerStart,
  modelFileKey,
  type CachedThroughput,
} from './throughput-cache.js';

export interface SuiteEstimate {
  estimate: RunEstimate;
  throughput: CachedThroughput;
  /** The target's classes: which sizes cross-validate, for the ETA's weights (spec/trial-work.ts). */
  numClasses: number;
  /** The source model is in the cache already, so its pretraining is not counted. */
  pretrainCached: boolean;
  /** What the ETA weighs trials by: the estimate's own FLOP counts per trial and its measured rate (trial-work.ts). */
  workBasis: WorkBasis;
  /** What each worker pays before its first trial, measured (in the estimate's startupSeconds). */
  startup: StartupCosts;
}

/** Why a suite gets no estimate before its run (`adaptive`: run with --adaptive), or null when it gets one. */
export function noEstimateReason(spec: SuiteSpec, adaptive = false): string | null {
  if (adaptive || spec.design?.kind === 'adaptive')
    return 'an adaptive suite chooses its trials as it runs; it stops within its budget';
  if (hasNamedSources(spec)) return 'no estimate for a suite with several sources yet';
  return null;
}

/**
 * Estimates the run of `spec` (paths relative to `baseDir`) with `workers` worker processes (the runner's default
 * when not given) on `backend`. Reads the suite's data (kept in this process's task cache, which the run's checks use
 * next) and, the first time on this machine for this model and backend, trains it for about `measureSeconds` to
 * measure its speed. Null when the suite gets no estimate (noEstimateReason).
 */
export async function estimateSuite(
  spec: SuiteSpec,
  baseDir: string,
  backend: BackendChoice,
  options: {
    workers?: number;
    measureSeconds?: number;
    /** Starts a worker as the run will and answers its seconds to "ready" (runner/worker-start-time.ts). */
    measureWorkerStart?: (backend: BackendChoice) => Promise<number>;
  } = {},
): Promise<SuiteEstimate | null> {
  if (noEstimateReason(spec) !== null) return null;
  const selecting = performance.now();
  const selected = await selectBackend(backend);
  const selectSeconds = (performance.now() - selecting) / 1000;
  // what each worker pays too before its first trial: decoding the data (timed here, the first read in this process)
  const decoding = performance.now();
  const target = await cachedTask(spec.target.dataset, spec.target.testPerClass, baseDir);
  const dataSeconds = await cachedSeconds(
    { measurement: 'data', dataset: spec.target.dataset, testPerClass: spec.target.testPerClass, baseDir },
    (performance.now() - decoding) / 1000,
  );
  const numClasses = target.pool.classNames.length;
  const modelPath = spec.pretrainedModel ? engineModelPath(spec.pretrainedModel.path, baseDir) : undefined;
  const loading = performance.now();
  const brought =
    modelPath && spec.pretrainedModel
      ? { model: await loadModel(modelPath), cutLayer: spec.pretrainedModel.cutLayer }
      : undefined;
  const modelLoadSeconds = modelPath
    ? await cachedSeconds(
        { measurement: 'model-load', model: modelFileKey(modelPath) },
        (performance.now() - loading) / 1000,
      )
    : 0;
  try {
    const modelInput = brought?.model.inputs[0]?.shape.slice(1);
    const [h, w, c] = modelInput ?? [];
    // Every approach trains the brought model's architecture, on inputs fitted to its input; without one, the suite's
    // architecture's input (a MobileNet's images are resized and given three channels, as the trials do).
    const inputShape: [number, number, number] =
      h && w && c
        ? [h, w, c]
        : architectureInputShape(spec.architecture, [target.pool.height, target.pool.width, target.pool.channels]);
    const throughput = await cachedThroughput(
      {
        backend: selected.name,
        device: selected.device,
        architecture: spec.architecture,
        batchSize: measureBatchSize(spec),
        inputShape,
        numClasses,
        model: modelFileKey(modelPath),
        cutLayer: brought?.cutLayer ?? null,
      },
      async () => ({
        ...(await measureThroughput(spec, inputShape, numClasses, selected, options.measureSeconds, brought)),
        startupSeconds: selectSeconds,
      }),
    );
    // a worker's start: measured by starting one (kept per machine and backend for a day); else this process's own
    // backend selection, which misses the process start
    const measureStart = options.measureWorkerStart;
    const workerStart = measureStart ? await cachedWorkerStart(selected.name, () => measureStart(backend)) : null;
    const cacheKey = spec.pretrain ? pretrainCacheKey(spec, baseDir, selected.name) : null;
    const pretrainCached = cacheKey !== null && readCachedPretrain(cacheKey) !== null;
    const sourcePool =
      spec.pretrain && !pretrainCached ? (await loadSourceTask(spec, baseDir)).pool.labels.length : undefined;
    const flopsPerSample = approachFlops(spec, inputShape, numClasses, brought);
    const testCount = target.test.labels.length;
    const throughputAtLoad = throughputNow(throughput);
    const estimate = estimateRun(
      spec,
      {
        inputShape,
        numClasses,
        testCount,
        ...(sourcePool !== undefined ? { sourcePool } : {}),
      },
      {
        ...throughputAtLoad,
        startupSeconds: workerStart?.seconds ?? throughput.startupSeconds ?? selectSeconds,
        dataSeconds,
        modelLoadSeconds,
      },
      options.workers ?? defaultWorkers(throughput.backend),
      flopsPerSample,
    );
    const workBasis: WorkBasis = {
      flopsPerSample,
      testCount,
      flopsPerSecond: throughput.flopsPerSecond,
      ...(throughput.trialOverheadSeconds !== undefined
        ? { trialOverheadSeconds: throughput.trialOverheadSeconds }
        : {}),
    };
    const startup: StartupCosts = {
      workerSeconds: workerStart?.seconds ?? throughput.startupSeconds ?? selectSeconds,
      workerMeasured: workerStart !== null,
      dataSeconds,
      modelLoadSeconds: brought ? modelLoadSeconds : 0,
    };
    return { estimate, throughput: throughputAtLoad, numClasses, pretrainCached, workBasis, startup };
  } finally {
    brought?.model.dispose();
  }
}
