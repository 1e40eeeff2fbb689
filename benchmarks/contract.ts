import { z } from 'zod';
import {
  APPROACHES,
  BACKENDS,
  MAX_COMPARED,
  MIN_COMPARED,
  type BackendName,
  type EpochRow,
  type GpuAdapter,
  type GpuReport,
  type EngineEvent,
  type ModelDownloadEvent,
  type RunEvent,
  type SuiteRecord,
  type TextFile,
  type TrialRecord,
} from './domain.js';
import type { SuiteAnalysis } from './analysis/analyze-suite.js';
import type { ComparedSuite, SuiteComparison } from './analysis/compare-suites.js';
import type { SizeComparison, Variant, VariantComparison } from './analysis/comparison.js';
import type { Crossover } from './analysis/crossover.js';
import type { DataMultiplier } from './analysis/data-multiplier.js';
import { adaptiveDesign, suiteSpec, type SuiteSpec } from './spec/suite-schema.js';
import type { WorkBasis } from './spec/trial-work.js';

/**
 * The one contract between the engine and any UI: the Electron IPC binding, the preload,
 * the HTTP `serve` binding and the renderer's client all derive from it.
 * Requests are validated with these schemas wherever they enter the engine's process.
 */

export const suiteSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('builtin'), name: z.string().min(1) }),
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
  /** Raw suite JSON text, e.g. a file the user picked in a browser. */
  z.strictObject({ kind: z.literal('text'), text: z.string().min(1), origin: z.string().default('uploaded suite') }),
]);
export type SuiteSource = z.infer<typeof suiteSource>;

const suiteId = z.strictObject({ suiteId: z.number().int().positive() });

/** Two or more finished suites of one target, in the order to show them. */
const suiteIds = z.strictObject({
  suiteIds: z
    .array(z.number().int().positive())
    .min(MIN_COMPARED, `name at least ${MIN_COMPARED} suites to compare`)
    .max(MAX_COMPARED, `name at most ${MAX_COMPARED} suites to compare`),
  tolerance: z.number().min(0).max(1).optional(),
});

/** What a run-time estimate is computed from: the data's shape and a throughput measured by draftSuite. */
export const estimateBasis = z.strictObject({
  // Bounded: the engine builds the suite's models from it to count their FLOPs (an image side is at most 1,024, as in
  // a suite file; the last dimension is an image's channels or a table's feature columns).
  inputShape: z.tuple([
    z.number().int().positive().max(1024),
    z.number().int().positive().max(1024),
    z.number().int().positive().max(100_000),
  ]),
  numClasses: z.number().int().min(2).max(100_000),
  testCount: z.number().int().nonnegative(),
  sourcePool: z.number().int().positive().optional(),
  backend: z.string().min(1),
  samplesPerSecond: z.number().positive(),
  flopsPerSecond: z.number().positive(),
  /** Each trial's fixed cost, the load average and the cores when the throughput was measured (estimate.ts). */
  trialOverheadSeconds: z.number().nonnegative().optional(),
  startupSeconds: z.number().nonnegative().optional(),
  /** What each worker pays once to decode the data and load a brought model, as timed by the draft. */
  dataSeconds: z.number().nonnegative().optional(),
  modelLoadSeconds: z.number().nonnegative().optional(),
  loadAverage: z.number().nonnegative().optional(),
  cores: z.number().int().positive().max(4096).optional(),
  /** Training and forward FLOPs per sample of each approach drafted (of the built-in architecture or a brought model). */
  flopsPerSample: z.partialRecord(
    z.enum(APPROACHES),
    z.strictObject({ train: z.number().nonnegative(), forward: z.number().nonnegative() }),
  ),
});
export type EstimateBasis = z.infer<typeof estimateBasis>;

export const requestSchemas = {
  listBuiltinSuites: z.strictObject({}),
  /** What this engine allows (the machine it runs on: in `serve`, not the browser's). */
  getLimits: z.strictObject({}),
  /** The engine's machine: CPU, the GPU its browser engine offers (probed once, in the background), what auto picks. */
  getEnvironment: z.strictObject({}),
  listSuites: z.strictObject({}),
  getSuite: suiteId,
  getEpochs: z.strictObject({
    suiteId: z.number().int().positive(),
    trainSize: z.number().int().positive().optional(),
  }),
  startSuite: z.strictObject({
    source: suiteSource,
    backend: z.enum(['auto', ...BACKENDS]).default('auto'),
    /** Checked against the machine's limit by the engine (runner/worker-limit.ts). */
    workers: z.number().int().positive().optional(),
    /** Replaces the suite's `design` (`run --adaptive`): its trials are chosen round after round. */
    design: adaptiveDesign.optional(),
  }),
  cancelSuite: suiteId,
  resumeSuite: z.strictObject({
    suiteId: z.number().int().positive(),
    workers: z.number().int().positive().optional(),
    /** Take the suite over even if the run holding it looks alive (a stuck run); that run stops. */
    force: z.boolean().default(false),
    /** Run failed trials again too. */
    retryFailed: z.boolean().default(false),
  }),
  exportCsv: suiteId,
  getAnalysis: z.strictObject({
    suiteId: z.number().int().positive(),
    /** Crossover tolerance as a fraction (0.01 = 1 percentage point). */
    tolerance: z.number().min(0).max(1).optional(),
  }),
  /** An adaptive suite's design: each round, what it added and why, how it ended, against the fixed grid (null: a grid). */
  getDesign: suiteId,
  getReport: z.strictObject({
    suiteId: z.number().int().positive(),
    format: z.enum(['html', 'md']).default('html'),
    tolerance: z.number().min(0).max(1).optional(),
  }),
  /** Finished suites of one target side by side: each one's answer and summaries, and the combined tables. */
  compareSuites: suiteIds,
  /** The combined tables of compareSuites as CSV files. */
  exportComparisonCsv: suiteIds,
  /** The report of compareSuites: what differs, the overlaid chart, each suite's answer. */
  getCompareReport: suiteIds.extend({ format: z.enum(['html', 'md']).default('html') }),
  /**
   * The suite builder: looks at a data folder or CSV file (and the source to pretrain on, or a model.json) and drafts
   * a suite for it, as `transfer-bench init` does. Over a network, paths are read only under `serve --data-root`.
   */
  draftSuite: z.strictObject({
    target: z.string().min(1),
    source: z.string().min(1).optional(),
    /** Measure this machine's throughput for a run-time estimate (a second or two of training). */
    estimate: z.boolean().default(true),
  }),
  /**
   * The run time of an edited draft, from draftSuite's `estimateBasis` (no data read, nothing measured again): the
   * suite builder re-estimates after every edit.
   */
  estimateSuite: z.strictObject({
    spec: suiteSpec,
    basis: estimateBasis,
    workers: z.number().int().positive().max(1024).optional(),
  }),
  /**
   * The run time of a built-in suite on the engine's machine, before it starts (the Suites screen): the estimator
   * `run` prints from (builder/estimate-suite.ts), on the suite's data, at the speed measured once a day.
   */
  estimateBuiltinSuite: z.strictObject({
    name: z.string().min(1),
    backend: z.enum(['auto', ...BACKENDS]).default('auto'),
    workers: z.number().int().positive().optional(),
  }),
} as const;

export type RequestName = keyof typeof requestSchemas;
export type RequestOf<K extends RequestName> = z.input<(typeof requestSchemas)[K]>;
export type ValidRequestOf<K extends RequestName> = z.output<(typeof requestSchemas)[K]>;

export interface BuiltinSuiteInfo {
  name: string;
  description: string;
  architecture: string;
  sizes: number[];
  seeds: number[];
  approaches: string[];
  trials: number;
}

/** Limits of the engine's machine, so a UI can offer only what a request may ask. */
export interface EngineLimits {
  /** Most worker processes a run may use (one per core); startSuite and resumeSuite refuse more. */
  maxWorkers: number;
}

/** What `--backend auto` takes on the engine's machine, and why. */
export interface AutoChoice {
  backend: BackendName;
  reason: string;
}

/** The machine the engine trains on, as the environment panel shows it. */
export interface EnvironmentInfo {
  /** e.g. "Intel(R) Xeon(R) … (2 cores)" */
  cpu: string;
  /** True while the GPU is being probed (the first request starts the probe); `gpu` and `auto` are null till then. */
  probing: boolean;
  /** The browser engine's GPU adapters (WebGPU, WebGL2), or why there are none. */
  gpu: GpuReport | null;
  /** What `auto` would pick and why; null while probing, or when the probe itself failed (`gpu.problems` says why). */
  auto: AutoChoice | null;
}

/** What the builder shows of a class: its name, how many examples it has, a few thumbnails (images only). */
export interface DraftClass {
  name: string;
  count: number;
  /** PNG data URLs, up to four. */
  thumbnails: string[];
}

export interface DraftSuiteResponse {
  /** The suite, with absolute paths: start it as `{ kind: 'text', text: JSON.stringify(spec) }` after any edits. */
  spec: SuiteSpec;
  kind: 'folder' | 'csv' | 'text';
  classes: DraftClass[];
  /** A text table: its columns, the text and label columns, a few rows, and the tokens chosen. */
  text?: {
    columns: string[];
    text: string;
    label: string;
    examples: { text: string; label: string }[];
    sequenceLength: number;
    vocabularySize: number;
    wordsPerText: { median: number; max: number };
  };
  /** e.g. "28×28 grayscale" or "4 numeric features, label species". */
  shape: string;
  /** Symbolic links not followed, then files that could not be decoded, up to 10, with the reason. */
  skipped: { path: string; reason: string }[];
  skippedCount: number;
  estimate: RunTimeEstimate | null;
  /** What `estimateSuite` needs to re-estimate an edited spec; null when nothing was measured. */
  estimateBasis: EstimateBasis | null;
  /** What keeps the drafted suite from answering well (e.g. a test set too small), one sentence each. */
  warnings?: string[];
}

/** How long a suite takes on the engine's machine: an upper bound (every trial's full budget; early stopping ends most sooner). */
export interface RunTimeEstimate {
  /** Upper end: every trial using its whole budget. */
  seconds: number;
  /** Lower end: every trial stopping early at its first chance. */
  lowSeconds?: number;
  /** Trials run at once on the cores free when measured. */
  parallel?: number;
  /** Each trial's fixed cost (model, kernels, first evaluation), measured; in both ends. */
  trialOverheadSeconds?: number;
  trials: number;
  workers: number;
  /** Pretraining on the source data, included in `seconds`. */
  pretrainSeconds: number;
  /** What the workers pay before their first trials (start, data, model), included in both ends. */
  startupSeconds?: number;
  samplesPerSecond: number;
  backend: string;
  /** The target's classes: which sizes cross-validate, so the run view's ETA weighs their folds (spec/trial-work.ts). */
  numClasses?: number;
  /** The estimate's FLOP counts and measured rate: the run view's ETA weighs trials by their FLOPs (spec/trial-work.ts). */
  workBasis?: WorkBasis;
  /** What the estimate rests on, one line: the measured speed, fixed costs, when and at what load (as `run` prints it). */
  basis?: string;
}

/** A built-in suite's estimate, or why it has none (an adaptive suite, a browser backend, data not there yet). */
export interface BuiltinSuiteEstimate {
  estimate: RunTimeEstimate | null;
  /** Why there is no estimate; null when there is one. */
  none: string | null;
}

/** One round of an adaptive suite as the app shows it. */
export interface DesignRoundView {
  round: number;
  /** Why the round added what it added, one line per reason. */
  reasons: string[];
  /** Trials the round added, and how many of them are stored (finished or failed). */
  trials: number;
  stored: number;
  /** The training-set sizes the round added trials at, smallest first. */
  sizes: number[];
}

/** An adaptive suite's design as it happened, replayed from its stored trials (the design is a function of them). */
export interface DesignView {
  rounds: DesignRoundView[];
  /** How the design ended; null while its last round is still to finish. */
  stop: { kind: 'settled' | 'seed-cap' | 'budget'; reason: string } | null;
  /** Trials stored so far, and the seconds of training they cost (summed over trials). */
  trialsRun: number;
  spentSeconds: number;
  budgetSeconds: number | null;
  /** The fixed grid at the design's resolution (×1.6 between sizes, every seed and approach) it replaces. */
  grid: {
    sizes: number[];
    trials: number;
    /** Its estimated cost: the seconds per training example of the trials run here times the grid's examples. */
    estimatedSeconds: number | null;
  };
}

export interface ResponseMap {
  draftSuite: DraftSuiteResponse;
  estimateSuite: RunTimeEstimate;
  estimateBuiltinSuite: BuiltinSuiteEstimate;
  listBuiltinSuites: BuiltinSuiteInfo[];
  getLimits: EngineLimits;
  getEnvironment: EnvironmentInfo;
  listSuites: SuiteRecord[];
  getSuite: { suite: SuiteRecord; trials: TrialRecord[] };
  getEpochs: EpochRow[];
  startSuite: { suiteId: number };
  cancelSuite: { cancelled: boolean };
  resumeSuite: { suiteId: number };
  exportCsv: { files: TextFile[] };
  getAnalysis: SuiteAnalysis;
  getDesign: DesignView | null;
  /** A self-contained report; `name` is a suggested file name. */
  getReport: TextFile;
  compareSuites: SuiteComparison;
  exportComparisonCsv: { files: TextFile[] };
  /** A self-contained report; `name` is a suggested file name. */
  getCompareReport: TextFile;
}

export type ResponseOf<K extends RequestName> = ResponseMap[K];

/** What a binding implements: one async handler per request, taking already-validated input. */
export type ContractHandlers = { [K in RequestName]: (request: ValidRequestOf<K>) => Promise<ResponseOf<K>> };

/** What a UI calls: one async function per request. */
export type ContractClient = { [K in RequestName]: (request: RequestOf<K>) => Promise<ResponseOf<K>> };

/** A request that failed: the message is meant for the user. */
export interface ContractError {
  error: string;
}

export type { EngineEvent, EpochRow, ModelDownloadEvent, RunEvent, TextFile };
/** The types inside the responses, so a UI finds everything it receives here. */
export type { GpuAdapter, GpuReport };
export type { Crossover, DataMultiplier, SizeComparison, SuiteAnalysis, SuiteSpec, Variant, VariantComparison };
export type { ComparedSuite, SuiteComparison };
export type { ClaimResult, Verdict as ClaimVerdict } from './analysis/claims.js';
/** The suite file's schema, so a UI can validate an edited suite as the engine will (the suite builder). */
export { suiteSpec };
export const REQUEST_NAMES = Object.keys(requestSchemas) as RequestName[];

export * from './contract-channels.js';
/** How the UI names a suite's architecture, the same words as the CLI and the report. */
export { describeArchitecture } from './spec/describe-architecture.js';
export { describeInputFit, describePretrainedModel } from './spec/describe-pretrained.js';
/** Named pretrained backbones a suite's source can be (the builder's picker lists them). */
export { CATALOGUE_CHOICES, looksLikeCatalogueName } from './spec/model-catalogue.js';

/** What the Electron preload exposes as `window.transferBench`. Requests reject with an Error whose message is for the user. */
export interface BridgeApi {
  request<K extends RequestName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Native open dialog for a suite JSON file; null when cancelled. */
  pickSuiteFile(): Promise<string | null>;
  /** Native folder dialog; writes the files there and returns the folder, or null when cancelled. */
  saveFiles(files: TextFile[]): Promise<string | null>;
  /** Native open dialog for the suite builder's data: a folder of images, a CSV file or a model.json; null when cancelled. */
  pickDataPath(kind: DataPathKind): Promise<string | null>;
  /** Native save dialog for a suite file; writes it and returns its path, or null when cancelled. */
  saveSuiteFile(file: TextFile): Promise<string | null>;
}

/** What the suite builder asks the user to pick: an image folder, a CSV table, or a TensorFlow.js model.json. */
export type DataPathKind = 'folder' | 'csv' | 'model';
