import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialResult } from '../../../benchmarks/domain.js';
import type { WorkerForker, WorkerHandle } from '../../../benchmarks/runner/worker-process.js';
import type { FromWorker, ToWorker } from '../../../benchmarks/runner/worker-protocol.js';
import type { PretrainJob, TrialJob } from '../../../benchmarks/train/jobs.js';

/** What a fake worker does with one trial: answer with a result, die, or hang until killed. */
export type TrialAction = { result: TrialResult } | 'die' | 'hang';

export interface FakeWorkers {
  forker: WorkerForker;
  /** Processes started so far (including ones that failed to start). */
  readonly started: number;
  /** Processes alive now. */
  readonly alive: number;
  /** Trial ids in the order workers received them. */
  readonly received: number[];
  /** Every trial job, in the order workers received them. */
  readonly trialJobs: TrialJob[];
  /** Every pretraining job, in the order workers received them. */
  readonly pretrainJobs: PretrainJob[];
}

import { okResult } from '../../support/trial-result.js';

export { okResult };

/**
 * Worker processes simulated in this process, speaking the real protocol: the runner under test cannot tell them
 * from trial-worker.ts. `trial` decides each trial's fate; `failStart(n)` makes the n-th process (1-based) exit
 * while loading its backend.
 */
export function fakeWorkers(
  options: {
    trial?: (job: TrialJob, attempt: number) => TrialAction;
    failStart?: (processNumber: number) => boolean;
    /** Milliseconds a trial takes. */
    trialMs?: number;
    /** Pretraining writes (placeholder) model files into its job's folder, as a worker of a distributed run packs them. */
    writeModels?: boolean;
    /** 'hang': pretraining never ends (until its process is killed). */
    pretrain?: 'hang';
  } = {},
): FakeWorkers {
  let started = 0;
  let alive = 0;
  const received: number[] = [];
  const trialJobs: TrialJob[] = [];
  const pretrainJobs: PretrainJob[] = [];
  const attempts = new Map<number, number>();
  const forker: WorkerForker = () => {
    started += 1;
    alive += 1;
    const number = started;
    let exited = false;
    let onMessage: (message: unknown) => void = () => {};
    let onExit: (code: number | null, signal: string | null) => void = () => {};
    const reply = (message: FromWorker) => setTimeout(() => !exited && onMessage(message), 1);
    const exit = (code: number | null, signal: string | null) => {
      if (exited) return;
      exited = true;
      alive -= 1;
      setTimeout(() => onExit(code, signal), 1);
    };
    const handle: WorkerHandle = {
      send: (raw) => {
        if (exited) return;
        const message = raw as ToWorker;
        switch (message.type) {
          case 'init':
            if (options.failStart?.(number)) exit(1, null);
            else reply({ type: 'ready', backend: { name: 'wasm', device: 'CPU (fake)' } });
            return;
          case 'check':
            reply({
              type: 'check-ok',
              summary: { targetDescription: 'fake', poolSize: 100, testSize: 10, numClasses: 2, notices: [] },
            });
            return;
          case 'pretrain': {
            pretrainJobs.push(message.job);
            if (options.pretrain === 'hang') return;
            const record = {
              cacheKey: message.job.cacheKey,
              reused: false,
              sourceDescription: 'fake',
              epochs: 1,
              wallSeconds: 0.01,
              trainFlops: 1,
              sourceTestAccuracy: 0.9,
              backend: 'wasm',
            } as const;
            if (options.writeModels) {
              mkdirSync(message.job.outDir, { recursive: true });
              for (const name of ['model.json', 'weights.bin'])
                writeFileSync(join(message.job.outDir, name), `${name} of ${message.job.cacheKey}`);
              // the record as the real worker caches it (a later run of the same cache key reads it back)
              writeFileSync(join(message.job.outDir, 'pretrain.json'), JSON.stringify(record));
            }
            reply({ type: 'pretrain-done', record });
            return;
          }
          case 'trial': {
            const { job } = message;
            received.push(job.trialId);
            trialJobs.push(job);
            const attempt = (attempts.get(job.trialId) ?? 0) + 1;
            attempts.set(job.trialId, attempt);
            const action = options.trial?.(job, attempt) ?? { result: okResult(0.5 + job.key.trainSize / 1000) };
            reply({ type: 'trial-started', trialId: job.trialId, maxEpochs: 1 });
            setTimeout(() => {
              if (exited || action === 'hang') return;
              if (action === 'die') return exit(null, 'SIGSEGV');
              onMessage({ type: 'trial-done', trialId: job.trialId, result: action.result, numTensors: 0 });
            }, options.trialMs ?? 5);
            return;
          }
        }
      },
      onMessage: (listener) => (onMessage = listener),
      onExit: (listener) => (onExit = listener),
      kill: () => exit(null, 'SIGKILL'),
    };
    return handle;
  };
  return {
    forker,
    get started() {
      return started;
    },
    get alive() {
      return alive;
    },
    received,
    trialJobs,
    pretrainJobs,
  };
}
