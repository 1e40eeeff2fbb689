import type { PretrainIdentity } from './pretrain-cache.js';
import type { TrialKey } from '../domain.js';
import type { SuiteSpec } from '../spec/suite-schema.js';

/** The work a worker process is given (by the runner) and what it reports back, as the training code sees it. */

/** The pretrained model a trial's fine-tuning approaches start from. */
export interface BaseModelRef {
  /** model.json path. */
  path: string;
  cutLayer: string;
}

export interface TrialJob {
  trialId: number;
  spec: SuiteSpec;
  baseDir: string;
  key: TrialKey;
  base: BaseModelRef | null;
  /** A task file (datasets/task-file.ts) to read the target task from instead of spec.target's data files. */
  taskFile?: string;
}

export interface PretrainJob {
  spec: SuiteSpec;
  baseDir: string;
  cacheKey: string;
  /** Folder to write model.json, weights.bin and pretrain.json into. */
  outDir: string;
  /** A task file (datasets/task-file.ts) to read the source task from instead of spec.pretrain's data files. */
  taskFile?: string;
  /** What `cacheKey` is a hash of, written beside the model (PRETRAIN_KEY) when given. */
  identity?: PretrainIdentity;
}

/** Loads everything a suite needs (datasets, sizes, pretrained model) without training, to fail before anything is stored. */
export interface CheckJob {
  spec: SuiteSpec;
  baseDir: string;
  base: BaseModelRef | null;
}

export interface CheckSummary {
  targetDescription: string;
  poolSize: number;
  testSize: number;
  numClasses: number;
  /** Lines about the data for the run's summary, e.g. image files that could not be decoded and were skipped. */
  notices: string[];
}
