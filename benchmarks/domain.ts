import type { SuiteSpec } from './spec/suite-schema.js';

export const APPROACHES = ['scratch', 'finetune', 'linear-probe', 'partial'] as const;
export type Approach = (typeof APPROACHES)[number];

/** webgpu and webgl run in a Chromium page (a browser worker), the others in a Node worker process. */
export const BACKENDS = ['tensorflow-gpu', 'webgpu', 'webgl', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

/**
 * The one definition of trial and suite statuses; the store, the runner, the CLI and the app derive from these lists.
 * A trial is `pending` until a run takes it, `running` while a worker trains it, then finished: `done`, `diverged`
 * (its loss stopped being finite) or `failed` (its own error, e.g. its worker died). A finished trial is immutable
 * and `resume` does not run it again (`resume --retry-failed` reruns `failed` ones). `cancelled` is an unfinished
 * trial whose run stopped (cancel, crash, a result that could not be stored): `resume` runs it again.
 */
export const TRIAL_STATUSES = ['pending', 'running', 'done', 'failed', 'diverged', 'cancelled'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

export const FINISHED_TRIAL_STATUSES = ['done', 'diverged', 'failed'] as const satisfies readonly TrialStatus[];
export type FinishedTrialStatus = (typeof FINISHED_TRIAL_STATUSES)[number];

export const SUITE_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type SuiteStatus = (typeof SUITE_STATUSES)[number];

/** Suite statuses of a run that ended (whether or not every trial finished). */
export const ENDED_SUITE_STATUSES = ['done', 'failed', 'cancelled'] as const satisfies readonly SuiteStatus[];

/** True when a trial will not change any more and must not be run again by `resume`. */
export function isTrialFinal(status: TrialStatus): status is FinishedTrialStatus {
  return (FINISHED_TRIAL_STATUSES as readonly TrialStatus[]).includes(status);
}

export function isSuiteEnded(status: SuiteStatus): boolean {
  return (ENDED_SUITE_STATUSES as readonly SuiteStatus[]).includes(status);
}

/**
 * One evaluation point of a training curve, taken at an epoch boundary. A loss or accuracy that was not finite
 * (a diverged trial) is NaN, which JSON carries as null: readers skip values that are not finite numbers.
 */
export interface EpochRecord {
  /** Epochs completed when this evaluation was taken (1-based). */
  epoch: number;
  /** Optimiser updates completed when this evaluation was taken. */
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  /** Seconds since the trial's training started. */
  elapsedSeconds: number;
}

/**
 * An evaluation as live progress reports it (`trial-epoch`): a trial may train one model per learning-rate candidate,
 * and per fold under cross-validation, then a final one; `run` says which, `epoch` then counts the whole trial's
 * progress and `run.epoch` this training's own. Stored curves are the chosen training's alone and carry no `run`.
 */
export interface LiveEpochRecord extends EpochRecord {
  run?: TrainingRun;
}

/** One of the trainings a trial runs to choose and fit its model (see LiveEpochRecord). */
export interface TrainingRun {
  /** A learning-rate candidate on the held-out split, one fold of a candidate, or the final fit on the whole subset. */
  kind: 'candidate' | 'fold' | 'final';
  /** 0-based, in the order the trial trains them. */
  index: number;
  /** The learning rate trained with; null for a candidate added by edge extension before it is known here. */
  learningRate: number | null;
  /** For `fold`: which fold is held out (1-based) and how many there are. */
  fold?: number;
  folds?: number;
  /** Epochs completed in this training (1-based). */
  epoch: number;
}

/** One learning rate a trial tried (an approach's `learningRate` may be a list), judged on validation loss only. */
export interface LearningRateCandidate {
  learningRate: number;
  /** Lowest validation loss it reached; null when it diverged before any finite evaluation. */
  bestValLoss: number | null;
  /** Optimiser updates it trained for. */
  steps: number;
  /** Stopped before its budget because it trailed the best candidate so far at the same step. */
  pruned: boolean;
  diverged: boolean;
  /** Added by edge extension (one ×3 step beyond the list's edge where the best sat); absent for the listed values. */
  extended?: boolean;
}

/** What a trial with a frozen prefix did with it: stored in its protocol (see train/frozen-features.ts). */
export interface FrozenPrefixRecord {
  /** The layer whose output the features are. */
  featuresLayer: string;
  /** True: the prefix ran once per example and only the suffix trained; false: every step ran through it. */
  computedOnce: boolean;
  /** Examples whose features the trial needs (training subset and test set) and the bytes they take. */
  examples: number;
  bytes: number;
  /** Why the features were not used, when they were not. */
  reason?: string;
}

/**
 * How a trial chose its model: `holdout` selects on a validation split taken from the subset; `kfold` (tiny sizes)
 * picks the number of steps by k-fold cross-validation on the subset, then trains on all of it for that many steps.
 */
export type TrialProtocol = (
  | { kind: 'holdout'; trainExamples: number; valExamples: number }
  | { kind: 'kfold'; folds: number; chosenSteps: number; examples: number }
) & {
  /** A linear probe's or partial fine-tune's frozen prefix: computed once per example, or why not (frozen-features.ts). */
  frozenPrefix?: FrozenPrefixRecord;
};

/** What a finished (or failed) trial measured. Written once, when the trial ends. */
export interface TrialResult {
  status: FinishedTrialStatus;
  testAccuracy: number | null;
  testLoss: number | null;
  epochs: number | null;
  bestEpoch: number | null;
  steps: number | null;
  wallSeconds: number | null;
  /**
   * CPU seconds the process that ran the trial spent on it (every thread: user + system, `process.cpuUsage`), from
   * the same start and end as `wallSeconds`; null where it cannot be measured (a browser page, a worker that died).
   */
  cpuSeconds: number | null;
  trainableParams: number | null;
  totalParams: number | null;
  /** Estimated floating-point operations spent in training (forward + backward). */
  trainFlops: number | null;
  /** Largest `tf.memory().numBytes` seen during the trial. */
  peakBytes: number | null;
  backend: BackendName | null;
  device: string | null;
  error: string | null;
  /** Learning rate of the model kept; null when the trial recorded none (failed early, or stored before it was). */
  learningRate: number | null;
  /** Every learning rate tried when the approach gives a list (one entry for a single value); empty when none ran. */
  lrCandidates: LearningRateCandidate[];
  /** How the trial chose its model; null when it recorded none. */
  protocol: TrialProtocol | null;
  epochRecords: EpochRecord[];
}

export interface TrialKey {
  approach: Approach;
  /**
   * The source the approach starts from, in a suite that names several (`sources`); absent for scratch and in a
   * single-source suite. Stored as part of the approach key (see spec/sources.ts).
   */
  source?: string;
  trainSize: number;
  seed: number;
}

/** One evaluation point of one trial's curve, with the trial it belongs to (what the store returns for curves). */
export interface EpochRow extends TrialKey, LiveEpochRecord {
  trialId: number;
}

export interface TrialRecord extends TrialKey, Omit<TrialResult, 'epochRecords' | 'status'> {
  id: number;
  status: TrialStatus;
  suiteId: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Who ran it in a distributed run (`run --distributed`); null for a trial of a local run, or not taken yet. */
  worker: TrialWorker | null;
}

/** The `transfer-bench worker` that took a trial of a distributed run (the last one, when it was retried). */
export interface TrialWorker {
  /** The machine's host name. */
  host: string;
  /** The worker process and its slot on that host, e.g. "pid 1234 slot 1". */
  name: string;
  /** How many times the trial was started (a worker killed mid-trial makes a second attempt). */
  attempts: number;
}

/** Where, and with what, a suite ran. */
export interface EnvironmentInfo {
  appVersion: string;
  nodeVersion: string;
  tfjsVersion: string;
  platform: string;
  arch: string;
  cpus: string;
  backend: BackendName | null;
  device: string | null;
}

/** The pretraining that a suite's fine-tuning approaches start from, and what it cost. */
export interface PretrainRecord {
  /** The source's name in a suite with `sources`; absent in a single-source suite. */
  source?: string;
  cacheKey: string;
  /** True when this suite reused a model pretrained earlier. */
  reused: boolean;
  sourceDescription: string;
  epochs: number | null;
  wallSeconds: number | null;
  trainFlops: number | null;
  sourceTestAccuracy: number | null;
  backend: BackendName | null;
}

export interface SuiteRecord {
  id: number;
  name: string;
  status: SuiteStatus;
  spec: SuiteSpec;
  env: EnvironmentInfo;
  /** The pretraining of a single-source suite; null without one, and in a suite with `sources` (see pretrains). */
  pretrain: PretrainRecord | null;
  /** In a suite with `sources`: the record of every source pretrained so far, each naming its source. */
  pretrains?: PretrainRecord[];
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  trialsTotal: number;
  /** Trials that finished: done, diverged or failed (see FINISHED_TRIAL_STATUSES). */
  trialsFinished: number;
}

/** Fewest and most suites one comparison takes (its chart tells up to eight suites apart by line style and marker). */
export const MIN_COMPARED = 2;
export const MAX_COMPARED = 8;

/** A named text file the engine produced for the user: a CSV export or a report. The UI decides where it is written. */
export interface TextFile {
  name: string;
  content: string;
}

/** Everything a running suite reports, in order. The CLI's progress bar and the app consume the same stream. */
export type RunEvent =
  | {
      type: 'suite-started';
      suiteId: number;
      total: number;
      /** Trials already finished (done, diverged or failed) when the run starts. */
      finished: number;
      /** Lines about the data for the run's summary (e.g. image files skipped because they could not be decoded). */
      notices?: string[];
    }
  /** `source` names the source being pretrained in a suite with `sources` (each is pretrained in turn). */
  | { type: 'pretrain-started'; suiteId: number; source?: string; cacheKey: string; epochs: number }
  | {
      type: 'pretrain-epoch';
      suiteId: number;
      source?: string;
      epoch: number;
      epochs: number;
      loss: number;
      accuracy: number;
    }
  | { type: 'pretrain-finished'; suiteId: number; source?: string; reused: boolean; wallSeconds: number | null }
  | { type: 'trial-started'; suiteId: number; trialId: number; key: TrialKey; maxEpochs: number }
  | { type: 'trial-epoch'; suiteId: number; trialId: number; key: TrialKey; maxEpochs: number; record: LiveEpochRecord }
  | { type: 'trial-finished'; suiteId: number; trial: TrialRecord }
  | { type: 'suite-finished'; suiteId: number; status: SuiteStatus; error: string | null };

export type RunEventListener = (event: RunEvent) => void;

/**
 * A catalogue model being downloaded into the model cache on its first use (a suite draft, or the start of a suite
 * naming it): the New suite screen shows it as the CLI shows its download bar. `bytesPerSecond` is the mean rate so
 * far and `etaSeconds` the time left at that rate (null until a rate is known); the last event has `done: true`.
 */
export interface ModelDownloadEvent {
  type: 'model-download';
  /** The catalogue name, e.g. "imagenet/mobilenet-v2-0.35". */
  model: string;
  /** The file being fetched, e.g. "group1-shard1of1.bin". */
  file: string;
  bytes: number;
  total: number;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  done: boolean;
}

/** Everything the engine's event stream carries: run events, and catalogue downloads (which belong to no suite). */
export type EngineEvent = RunEvent | ModelDownloadEvent;
export type EngineEventListener = (event: EngineEvent) => void;

/** What a browser engine says about the adapter its WebGPU or WebGL context runs on. */
export interface GpuAdapter {
  api: 'webgpu' | 'webgl';
  vendor: string;
  architecture: string;
  /** WebGPU's description (often empty), or WebGL's UNMASKED_RENDERER_WEBGL string. */
  description: string;
  /** A CPU rasteriser standing in for a GPU (SwiftShader, llvmpipe, lavapipe, WARP, …): correct, not fast. */
  software: boolean;
}

/** What each browser API offers in this engine; null with the reason in `problems` when it offers nothing. */
export interface AdapterProbe {
  webgpu: GpuAdapter | null;
  webgl: GpuAdapter | null;
  problems: string[];
}

/** What a browser engine offers for the GPU backends, as the environment panel and `--backend auto` see it. */
export interface GpuReport extends AdapterProbe {
  /** The engine probed, e.g. "Chromium 156.0.8078.108"; null when none could be started (`problems` says why). */
  engine: string | null;
}
