import type { BackendChoice, EpochRecord, PretrainRecord, TrialKey, TrialResult } from '../domain.js';
import type { BackendInfo } from '../backend/select-backend.js';
import type { SuiteSpec } from '../spec/suite-schema.js';

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
}

export interface PretrainJob {
  spec: SuiteSpec;
  baseDir: string;
  cacheKey: string;
  /** Folder to write model.json, weights.bin and pretrain.json into. */
  outDir: string;
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
}

export type ToWorker =
  | { type: 'init'; backend: BackendChoice }
  | { type: 'trial'; job: TrialJob }
  | { type: 'pretrain'; job: PretrainJob }
  | { type: 'check'; job: CheckJob };

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'init-failed'; error: string; userError: boolean }
  | { type: 'trial-started'; trialId: number; maxEpochs: number }
  | { type: 'trial-epoch'; trialId: number; record: EpochRecord; maxEpochs: number }
  | { type: 'trial-done'; trialId: number; result: TrialResult; numTensors: number }
  | { type: 'pretrain-epoch'; epoch: number; epochs: number; loss: number; accuracy: number }
  | { type: 'pretrain-done'; record: PretrainRecord }
  | { type: 'pretrain-failed'; error: string; userError: boolean }
  | { type: 'check-ok'; summary: CheckSummary }
  | { type: 'check-failed'; error: string; userError: boolean };
