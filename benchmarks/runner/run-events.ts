import type { EpochRecord, SuiteStatus, TrialKey, TrialRecord } from '../domain.js';

/** Everything a running suite reports, in order. The CLI's progress bar and the app consume the same stream. */
export type RunEvent =
  | { type: 'suite-started'; suiteId: number; total: number; done: number }
  | { type: 'pretrain-started'; suiteId: number; cacheKey: string; epochs: number }
  | { type: 'pretrain-epoch'; suiteId: number; epoch: number; epochs: number; loss: number; accuracy: number }
  | { type: 'pretrain-finished'; suiteId: number; reused: boolean; wallSeconds: number | null }
  | { type: 'trial-started'; suiteId: number; trialId: number; key: TrialKey; maxEpochs: number }
  | { type: 'trial-epoch'; suiteId: number; trialId: number; key: TrialKey; maxEpochs: number; record: EpochRecord }
  | { type: 'trial-finished'; suiteId: number; trial: TrialRecord }
  | { type: 'suite-finished'; suiteId: number; status: SuiteStatus; error: string | null };

export type RunEventListener = (event: RunEvent) => void;
