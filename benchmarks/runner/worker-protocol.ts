import type { BackendChoice, EpochRecord, PretrainRecord, TrialResult } from '../domain.js';
import type { BackendInfo } from '../backend/select-backend.js';
import type { CheckJob, CheckSummary, PretrainJob, TrialJob } from '../train/jobs.js';

/** The messages between the runner and a worker process; the jobs themselves are defined where they run (train/jobs.ts). */
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
