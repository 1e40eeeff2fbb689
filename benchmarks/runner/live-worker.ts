import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendChoice, EpochRecord, PretrainRecord, TrialResult } from '../domain.js';
import type { BackendInfo } from '../backend/select-backend.js';
import { UserError } from '../errors.js';
import type { WorkerForker, WorkerHandle } from './worker-process.js';
import type { CheckJob, CheckSummary, PretrainJob, TrialJob } from '../train/jobs.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** A pretraining epoch as a worker reports it. */
export interface PretrainEpoch {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
}

/** What a trial reports while it trains. */
export interface TrialProgress {
  onStart?: (maxEpochs: number) => void;
  onEpoch?: (record: EpochRecord, maxEpochs: number) => void;
}

/** The worker entry module beside this file; under a TypeScript loader (tests) the source file, run through tsx. */
function workerModule(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  return {
    path: join(dirname(here), fromSource ? 'trial-worker.ts' : 'trial-worker.js'),
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  };
}

type Pending = {
  onMessage: (message: FromWorker) => void;
  isFinal: (message: FromWorker) => boolean;
  resolve: (message: FromWorker) => void;
  reject: (error: Error) => void;
};

/** One worker process that has loaded its backend and runs one job at a time. */
export class LiveWorker {
  private pending: Pending | null = null;
  private exited: string | null = null;

  private constructor(
    private readonly handle: WorkerHandle,
    readonly backend: BackendInfo,
  ) {}

  static start(forker: WorkerForker, choice: BackendChoice): Promise<LiveWorker> {
    const { path, execArgv } = workerModule();
    const handle = forker(path, execArgv, choice);
    return new Promise((resolve, reject) => {
      let worker: LiveWorker | null = null;
      handle.onMessage((raw) => {
        const message = raw as FromWorker;
        if (worker) return worker.receive(message);
        if (message.type === 'ready') {
          worker = new LiveWorker(handle, message.backend);
          resolve(worker);
        } else if (message.type === 'init-failed') {
          handle.kill();
          reject(message.userError ? new UserError(message.error) : new Error(message.error));
        }
      });
      handle.onExit((code, signal) => {
        if (worker) return worker.died(code, signal);
        reject(new Error(`worker process exited while loading the backend (${describeExit(code, signal)})`));
      });
      handle.send({ type: 'init', backend: choice } satisfies ToWorker);
    });
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Sends a job and resolves with its final message; progress messages go to `onMessage`. Rejects if the process dies. */
  private request(
    message: ToWorker,
    isFinal: (message: FromWorker) => boolean,
    onMessage: (message: FromWorker) => void = () => {},
  ): Promise<FromWorker> {
    if (this.exited !== null) return Promise.reject(new Error(`worker process is gone (${this.exited})`));
    if (this.pending) return Promise.reject(new Error('worker is busy'));
    return new Promise((resolve, reject) => {
      this.pending = { onMessage, isFinal, resolve, reject };
      this.handle.send(message);
    });
  }

  /**
   * Checks a suite's inputs (datasets, sizes, model) in this worker; bad input rejects with a UserError that starts
   * with `origin` (where the suite came from).
   */
  async check(job: CheckJob, origin: string): Promise<CheckSummary> {
    const reply = await this.request({ type: 'check', job }, (m) => m.type === 'check-ok' || m.type === 'check-failed');
    if (reply.type === 'check-failed') {
      throw reply.userError ? new UserError(`${origin}: ${reply.error}`) : new Error(reply.error);
    }
    if (reply.type !== 'check-ok') throw new Error(`unexpected reply ${reply.type}`);
    return reply.summary;
  }

  /** Pretrains a source model into `job.outDir`; rejects when pretraining failed (or the process died). */
  async pretrain(job: PretrainJob, onEpoch: (epoch: PretrainEpoch) => void = () => {}): Promise<PretrainRecord> {
    const reply = await this.request(
      { type: 'pretrain', job },
      (m) => m.type === 'pretrain-done' || m.type === 'pretrain-failed',
      (m) => {
        if (m.type === 'pretrain-epoch')
          onEpoch({ epoch: m.epoch, epochs: m.epochs, loss: m.loss, accuracy: m.accuracy });
      },
    );
    if (reply.type === 'pretrain-failed') throw new Error(`pretraining failed: ${reply.error}`);
    if (reply.type !== 'pretrain-done') throw new Error(`unexpected reply ${reply.type}`);
    return reply.record;
  }

  /**
   * Trains one trial. Its own failure comes back as a result (status `failed`); rejects only when the process died
   * (or was killed) during it.
   */
  async runTrial(job: TrialJob, progress: TrialProgress = {}): Promise<TrialResult> {
    const reply = await this.request(
      { type: 'trial', job },
      (m) => m.type === 'trial-done',
      (m) => {
        if (m.type === 'trial-started') progress.onStart?.(m.maxEpochs);
        else if (m.type === 'trial-epoch') progress.onEpoch?.(m.record, m.maxEpochs);
      },
    );
    if (reply.type !== 'trial-done') throw new Error(`unexpected reply ${reply.type}`);
    return reply.result;
  }

  kill(): void {
    this.handle.kill();
  }

  private receive(message: FromWorker): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.isFinal(message)) {
      this.pending = null;
      pending.resolve(message);
    } else {
      pending.onMessage(message);
    }
  }

  private died(code: number | null, signal: string | null): void {
    this.exited = describeExit(code, signal);
    const pending = this.pending;
    this.pending = null;
    pending?.reject(new Error(`worker process exited during the job (${this.exited})`));
  }
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit code ${code ?? 'unknown'}`;
}
