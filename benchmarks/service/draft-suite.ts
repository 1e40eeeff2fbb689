/** The suite builder's request: `transfer-bench init` for a UI, with paths checked against `--data-root`. */
import type { DownloadReport } from '../builder/brought-models.js';
import { estimateBasis } from '../builder/estimate-basis.js';
import { estimateRun, type RunEstimate } from '../builder/estimate.js';
import { estimateSuite, noEstimateReason } from '../builder/estimate-suite.js';
import { initSuite } from '../builder/init-suite.js';
import { thumbnail } from '../builder/thumbnails.js';
import type {
  BuiltinSuiteEstimate,
  DraftSuiteResponse,
  EstimateBasis,
  RunTimeEstimate,
  ValidRequestOf,
} from '../contract.js';
import { measureWorkerStart } from '../runner/worker-start-time.js';
import type { WorkerForker } from '../runner/worker-process.js';
import { loadSuite } from '../spec/load-suite.js';
import type { BackendChoice } from '../domain.js';
import { BusyError, UserError, errorMessage } from '../errors.js';
import { looksLikeCatalogueName } from '../spec/model-catalogue.js';
import type { WorkBasis } from '../spec/trial-work.js';
import { resolveUnderRoots, underRoots } from './data-roots.js';

/**
 * Drafts waiting or running at once in this process, at most; more are refused as busy. A draft decodes images and
 * trains for a second on the process's one TensorFlow.js engine: drafts run one at a time (two at once raced on the
 * backend and answered with a stack trace), and a burst of them cannot pile up work that exhausts the machine.
 */
export const MAX_QUEUED_DRAFTS = 4;
let queued = 0;
let tail: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  if (queued >= MAX_QUEUED_DRAFTS) {
    return Promise.reject(
      new BusyError(
        `this server is already looking at data for ${queued} suite drafts, one at a time; try again in a moment`,
      ),
    );
  }
  queued++;
  const result = tail.then(work, work);
  const done = () => {
    queued--;
  };
  tail = result.then(done, done);
  return result;
}

/**
 * Looks at the data a user chose in the suite builder and drafts a suite for it. With `dataRoots` (`serve`), every
 * path and every entry read below it, at any depth, must be under a root: an escaping link is skipped and named.
 */
export function draftSuiteFor(
  request: ValidRequestOf<'draftSuite'>,
  dataRoots: readonly string[] | undefined,
  onDownload?: (progress: DownloadReport) => void,
  forkWorker?: WorkerForker,
): Promise<DraftSuiteResponse> {
  return oneAtATime(() =>
    dataRoots
      ? underRoots(dataRoots, () => draft(request, dataRoots, onDownload, forkWorker))
      : draft(request, undefined, onDownload, forkWorker),
  );
}

async function draft(
  request: ValidRequestOf<'draftSuite'>,
  dataRoots: readonly string[] | undefined,
  onDownload: ((progress: DownloadReport) => void) | undefined,
  forkWorker: WorkerForker | undefined,
): Promise<DraftSuiteResponse> {
  const checked = (path: string) => (dataRoots ? resolveUnderRoots(path, dataRoots) : path);
  const result = await initSuite({
    target: checked(request.target),
    // a catalogue name is no path: the model comes from the model cache (or its host), never from the user's files
    source:
      request.source === undefined || looksLikeCatalogueName(request.source) ? request.source : checked(request.source),
    suiteDir: null,
    measureSeconds: request.estimate ? 1 : 0,
    ...(onDownload ? { prepare: { onDownload } } : {}),
    // a worker's start as the run pays it, timed by starting one (kept per machine and backend for a day)
    ...(forkWorker ? { measureWorkerStart: (choice: BackendChoice) => measureWorkerStart(forkWorker, choice) } : {}),
  });
  const { target } = result;
  const classes = await Promise.all(
    target.classes.map(async (c, k) => ({
      name: c.name,
      count: c.count,
      thumbnails:
        target.kind === 'folder'
          ? (await Promise.all((target.samples[k] ?? []).map((p) => thumbnail(p)))).filter(
              (t): t is string => t !== null,
            )
          : [],
    })),
  );
  const skipped = target.kind === 'folder' ? [...target.excluded, ...target.skipped] : [];
  return {
    spec: result.spec,
    kind: target.kind,
    classes,
    shape:
      target.kind === 'folder'
        ? `${target.imageSize[0]}×${target.imageSize[1]} ${target.channels === 1 ? 'grayscale' : 'RGB'}`
        : target.kind === 'text'
          ? `text column ${target.text}, label ${target.label}, ${target.sequenceLength} tokens per text, vocabulary of ${target.vocabularySize}`
          : `${target.features.length} numeric features, label ${target.label}`,
    ...(target.kind === 'text'
      ? {
          text: {
            columns: target.columns,
            text: target.text,
            label: target.label,
            examples: target.examples,
            sequenceLength: target.sequenceLength,
            vocabularySize: target.vocabularySize,
            wordsPerText: target.wordsPerText,
          },
        }
      : {}),
    skipped: skipped.slice(0, 10),
    skippedCount: skipped.length,
    warnings: result.warnings,
    estimate:
      result.estimate && result.throughput
        ? runTimeEstimate(result.estimate, result.throughput, result.check.numClasses, {
            flopsPerSample: result.flops ?? {},
            testCount: result.check.testSize,
          })
        : null,
    estimateBasis:
      result.throughput && result.flops && result.inputShape
        ? {
            inputShape: result.inputShape,
            numClasses: result.check.numClasses,
            testCount: result.check.testSize,
            ...(result.source && result.source.kind !== 'model'
              ? { sourcePool: result.source.classes.reduce((n, c) => n + c.count, 0) }
              : {}),
            backend: result.throughput.backend,
            samplesPerSecond: result.throughput.samplesPerSecond,
            flopsPerSecond: result.throughput.flopsPerSecond,
            ...(result.throughput.trialOverheadSeconds !== undefined
              ? { trialOverheadSeconds: result.throughput.trialOverheadSeconds }
              : {}),
            ...(result.startup
              ? {
                  startupSeconds: result.startup.workerSeconds,
                  dataSeconds: result.startup.dataSeconds,
                  modelLoadSeconds: result.startup.modelLoadSeconds,
                }
              : result.throughput.startupSeconds !== undefined
                ? { startupSeconds: result.throughput.startupSeconds }
                : {}),
            ...(result.throughput.loadAverage !== undefined ? { loadAverage: result.throughput.loadAverage } : {}),
            ...(result.throughput.cores !== undefined ? { cores: result.throughput.cores } : {}),
            flopsPerSample: result.flops,
          }
        : null,
  };
}

/**
 * The run time of an edited draft from what draftSuite measured and counted: the FLOPs of every trial's budget at the
 * measured rate (no data read, no model built, nothing trained), an upper bound as for `init`. The builder edits
 * neither the architecture nor the data's shape, so the FLOPs per sample of each approach stand.
 */
export function estimateDraft(request: ValidRequestOf<'estimateSuite'>): RunTimeEstimate {
  const basis: EstimateBasis = request.basis;
  for (const approach of Object.keys(request.spec.approaches) as (keyof typeof basis.flopsPerSample)[]) {
    if (!basis.flopsPerSample[approach]) {
      throw new UserError(`approach ${approach} was not in the drafted suite: look at the data again to estimate it`);
    }
  }
  const estimate = estimateRun(
    request.spec,
    {
      inputShape: basis.inputShape,
      numClasses: basis.numClasses,
      testCount: basis.testCount,
      ...(basis.sourcePool !== undefined ? { sourcePool: basis.sourcePool } : {}),
    },
    {
      backend: basis.backend,
      samplesPerSecond: basis.samplesPerSecond,
      flopsPerSecond: basis.flopsPerSecond,
      ...(basis.trialOverheadSeconds !== undefined ? { trialOverheadSeconds: basis.trialOverheadSeconds } : {}),
      ...(basis.startupSeconds !== undefined ? { startupSeconds: basis.startupSeconds } : {}),
      ...(basis.dataSeconds !== undefined ? { dataSeconds: basis.dataSeconds } : {}),
      ...(basis.modelLoadSeconds !== undefined ? { modelLoadSeconds: basis.modelLoadSeconds } : {}),
      ...(basis.loadAverage !== undefined ? { loadAverage: basis.loadAverage } : {}),
      ...(basis.cores !== undefined ? { cores: basis.cores } : {}),
    },
    request.workers,
    basis.flopsPerSample,
  );
  return runTimeEstimate(estimate, basis, basis.numClasses, basis);
}

/**
 * The estimate of a built-in suite before the app starts it, from the estimator `run` prints from
 * (builder/estimate-suite.ts): its data read, the speed measured once a day, a worker started with `forkWorker` to
 * time its start. One at a time with the drafts (they share this process's TensorFlow.js engine). A suite that gets
 * none (adaptive, a browser backend) or whose data or model cannot be read yet says why: its run says it again.
 */
export function estimateBuiltin(
  request: ValidRequestOf<'estimateBuiltinSuite'>,
  forkWorker: WorkerForker,
): Promise<BuiltinSuiteEstimate> {
  return oneAtATime(async () => {
    if (request.backend === 'webgpu' || request.backend === 'webgl') {
      return {
        estimate: null,
        none: `the ${request.backend} backend trains in a browser page, whose speed is not measured here`,
      };
    }
    try {
      const loaded = loadSuite({ kind: 'builtin', name: request.name });
      const none = noEstimateReason(loaded.spec);
      if (none !== null) return { estimate: null, none };
      const found = await estimateSuite(loaded.spec, loaded.baseDir, request.backend, {
        ...(request.workers ? { workers: request.workers } : {}),
        measureWorkerStart: (choice) => measureWorkerStart(forkWorker, choice),
      });
      if (!found) return { estimate: null, none: 'no estimate for this suite' };
      return {
        estimate: {
          ...runTimeEstimate(found.estimate, found.throughput, found.numClasses, found.workBasis),
          basis: estimateBasis(found.estimate, found.throughput, found.startup),
        },
        none: null,
      };
    } catch (error) {
      return { estimate: null, none: `no estimate: ${errorMessage(error)}` };
    }
  });
}

/** What the app shows of an estimate: its range, what it covers, and the measured speed it rests on. */
function runTimeEstimate(
  estimate: RunEstimate,
  throughput: { samplesPerSecond: number; flopsPerSecond: number; backend: string; trialOverheadSeconds?: number },
  numClasses: number,
  counted: Pick<WorkBasis, 'flopsPerSample' | 'testCount'>,
): RunTimeEstimate {
  return {
    workBasis: {
      flopsPerSample: counted.flopsPerSample,
      testCount: counted.testCount,
      flopsPerSecond: throughput.flopsPerSecond,
      ...(throughput.trialOverheadSeconds !== undefined
        ? { trialOverheadSeconds: throughput.trialOverheadSeconds }
        : {}),
    },
    seconds: estimate.seconds,
    lowSeconds: estimate.lowSeconds,
    parallel: estimate.parallel,
    trialOverheadSeconds: estimate.trialOverheadSeconds,
    trials: estimate.trials,
    workers: estimate.workers,
    pretrainSeconds: estimate.pretrainSeconds,
    startupSeconds: estimate.startupSeconds,
    samplesPerSecond: throughput.samplesPerSecond,
    backend: throughput.backend,
    numClasses,
  };
}
