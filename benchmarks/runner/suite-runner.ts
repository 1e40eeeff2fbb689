import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  APPROACHES,
  type BackendChoice,
  type BackendName,
  type RunEventListener,
  type SuiteStatus,
  type TrialKey,
} from '../domain.js';
import { UserError, errorMessage } from '../errors.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { ResultStore } from '../store/result-store.js';
import { describeDataset } from '../spec/describe-dataset.js';
import { failedResult } from '../train/failed-result.js';
import type { BaseModelRef, CheckSummary, TrialJob } from '../train/jobs.js';
import { pretrainCacheKey, pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { environmentInfo } from './environment.js';
import { LiveWorker } from './live-worker.js';
import type { WorkerForker } from './worker-process.js';
import type { FromWorker } from './worker-protocol.js';

/** Every trial of a suite, ordered so that early results cover every approach at every size of the first seed. */
export function planTrials(spec: SuiteSpec): TrialKey[] {
  const approaches = APPROACHES.filter((a) => spec.approaches[a] !== undefined);
  return spec.seeds.flatMap((seed) =>
    spec.sizes.flatMap((trainSize) => approaches.map((approach) => ({ approach, trainSize, seed }))),
  );
}

function baseModelRef(spec: SuiteSpec, baseDir: string): BaseModelRef | null {
  if (spec.pretrainedModel)
    return { path: resolve(baseDir, spec.pretrainedModel.path), cutLayer: spec.pretrainedModel.cutLayer };
  const key = pretrainCacheKey(spec);
  return key ? { path: resolve(pretrainDir(key), 'model.json'), cutLayer: 'features' } : null;
}

export interface RunnerOptions {
  store: ResultStore;
  forkWorker: WorkerForker;
  backend: BackendChoice;
  /** Worker processes; default: one per core on the single-threaded CPU backends (wasm, cpu), one on TensorFlow backends. */
  workers?: number;
  onEvent: RunEventListener;
}

export function defaultWorkerCount(backend: BackendName): number {
  return backend === 'wasm' || backend === 'cpu' ? availableParallelism() : 1;
}

/** Suites left `running` by a process that no longer exists are marked cancelled, so that they read as resumable. */
export function recoverInterruptedSuites(store: ResultStore): void {
  for (const suite of store.listSuites()) {
    if (suite.status !== 'running' || (suite.runnerPid !== null && processIsAlive(suite.runnerPid))) continue;
    for (const trial of store.listTrials(suite.id)) if (trial.status === 'running') store.markTrialCancelled(trial.id);
    store.setSuiteStatus(suite.id, 'cancelled', 'interrupted: the process running it stopped; resume it to finish');
  }
}

/**
 * A suite run in progress: owns the worker processes, writes every finished trial in its own transaction,
 * and forwards progress. `cancel()` kills the workers; finished trials stay, the rest can be resumed.
 */
export class SuiteRun {
  private cancelled = false;
  private readonly workers: LiveWorker[] = [];

  private constructor(
    readonly suiteId: number,
    private readonly options: RunnerOptions,
    private readonly suite: LoadedSuite,
    /** Lines about the data found by the check (e.g. skipped image files), reported with suite-started. */
    private readonly notices: string[] = [],
  ) {}

  /**
   * Checks the suite's inputs in a worker (datasets, sizes, model) and only then stores it: bad input throws a
   * UserError and leaves the database as it was. Resolves once training has started; `finished` resolves at the end.
   */
  static async start(options: RunnerOptions, suite: LoadedSuite): Promise<SuiteRun> {
    const { worker: first, summary } = await checkedWorker(options, suite);
    const suiteId = options.store.createSuite({
      spec: suite.spec,
      baseDir: suite.baseDir,
      backendChoice: options.backend,
      env: environmentInfo(first.backend),
      trials: planTrials(suite.spec),
    });
    return new SuiteRun(suiteId, options, suite, summary.notices).begin(first);
  }

  /** Runs what is not finished of a stored suite, after the same checks. */
  static async resume(options: RunnerOptions, suiteId: number): Promise<SuiteRun> {
    const stored = options.store.requireSuite(suiteId);
    if (stored.status === 'running' && stored.runnerPid !== null && processIsAlive(stored.runnerPid)) {
      throw new UserError(`suite ${suiteId} is being run by process ${stored.runnerPid}; cancel that run first`);
    }
    if (stored.trialsDone === stored.trialsTotal && stored.status === 'done') {
      throw new UserError(`suite ${suiteId} is already complete: nothing to resume`);
    }
    const suite: LoadedSuite = { spec: stored.spec, baseDir: stored.baseDir, origin: `suite ${suiteId}` };
    const { worker: first, summary } = await checkedWorker(options, suite);
    options.store.resetUnfinishedTrials(suiteId);
    return new SuiteRun(suiteId, options, suite, summary.notices).begin(first);
  }

  finished!: Promise<SuiteStatus>;

  cancel(): void {
    this.cancelled = true;
    for (const worker of this.workers) worker.kill();
  }

  private begin(first: LiveWorker): this {
    this.workers.push(first);
    this.finished = this.run().finally(() => this.workers.forEach((w) => w.kill()));
    this.finished.catch(() => {});
    return this;
  }

  private async run(): Promise<SuiteStatus> {
    const { store, onEvent } = this.options;
    const { suiteId } = this;
    store.setSuiteStatus(suiteId, 'running');
    const all = store.listTrials(suiteId);
    onEvent({
      type: 'suite-started',
      suiteId,
      total: all.length,
      done: all.filter((t) => t.status !== 'pending').length,
      notices: this.notices,
    });
    let status: SuiteStatus = 'done';
    let error: string | null = null;
    try {
      await this.pretrain();
      const queue = all.filter((t) => t.status === 'pending');
      const base = baseModelRef(this.suite.spec, this.suite.baseDir);
      const workers = this.options.workers ?? defaultWorkerCount(this.workers[0]!.backend.name);
      const target = Math.min(workers, Math.max(1, queue.length));
      // A slot that cannot start a worker stops; the others keep draining the queue before the suite is failed.
      const slots = await Promise.allSettled(
        Array.from({ length: target }, (_, slot) => this.drain(slot, queue, base)),
      );
      const broken = slots.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (broken) throw broken.reason;
      if (this.cancelled) status = 'cancelled';
    } catch (failure) {
      status = this.cancelled ? 'cancelled' : 'failed';
      error = this.cancelled ? null : errorMessage(failure);
    }
    if (status === 'cancelled') {
      for (const trial of store.listTrials(suiteId)) if (trial.status === 'running') store.markTrialCancelled(trial.id);
    }
    store.setSuiteStatus(suiteId, status, error);
    onEvent({ type: 'suite-finished', suiteId, status, error });
    return status;
  }

  private async pretrain(): Promise<void> {
    const { spec, baseDir } = this.suite;
    const cacheKey = pretrainCacheKey(spec);
    if (!cacheKey) return;
    const { store, onEvent } = this.options;
    const { suiteId } = this;
    const cached = readCachedPretrain(cacheKey);
    if (cached) {
      store.setSuitePretrain(suiteId, {
        ...cached,
        reused: true,
        sourceDescription: describeDataset(spec.pretrain!.dataset),
      });
      onEvent({ type: 'pretrain-finished', suiteId, reused: true, wallSeconds: cached.wallSeconds });
      return;
    }
    onEvent({ type: 'pretrain-started', suiteId, cacheKey, epochs: spec.pretrain?.epochs ?? 0 });
    const reply = await this.workers[0]!.request(
      { type: 'pretrain', job: { spec, baseDir, cacheKey, outDir: pretrainDir(cacheKey) } },
      (m) => m.type === 'pretrain-done' || m.type === 'pretrain-failed',
      (m) => {
        if (m.type === 'pretrain-epoch')
          onEvent({
            type: 'pretrain-epoch',
            suiteId,
            epoch: m.epoch,
            epochs: m.epochs,
            loss: m.loss,
            accuracy: m.accuracy,
          });
      },
    );
    if (reply.type === 'pretrain-failed') throw new Error(`pretraining failed: ${reply.error}`);
    if (reply.type !== 'pretrain-done') throw new Error(`unexpected reply ${reply.type}`);
    store.setSuitePretrain(suiteId, reply.record);
    onEvent({ type: 'pretrain-finished', suiteId, reused: false, wallSeconds: reply.record.wallSeconds });
  }

  /** One worker slot: takes trials off the shared queue until it is empty, replacing its process if it dies. */
  private async drain(
    slot: number,
    queue: { id: number; approach: TrialKey['approach']; trainSize: number; seed: number }[],
    base: BaseModelRef | null,
  ): Promise<void> {
    const { store, onEvent } = this.options;
    const { suiteId } = this;
    while (!this.cancelled) {
      const trial = queue.shift();
      if (!trial) return;
      const worker = await this.workerFor(slot);
      if (this.cancelled) return;
      const key: TrialKey = { approach: trial.approach, trainSize: trial.trainSize, seed: trial.seed };
      const job: TrialJob = { trialId: trial.id, spec: this.suite.spec, baseDir: this.suite.baseDir, key, base };
      store.markTrialRunning(trial.id);
      let maxEpochs = 0;
      try {
        const reply = await worker.request(
          { type: 'trial', job },
          (m) => m.type === 'trial-done',
          (m: FromWorker) => {
            if (m.type === 'trial-started') {
              maxEpochs = m.maxEpochs;
              onEvent({ type: 'trial-started', suiteId, trialId: trial.id, key, maxEpochs });
            } else if (m.type === 'trial-epoch') {
              onEvent({
                type: 'trial-epoch',
                suiteId,
                trialId: trial.id,
                key,
                maxEpochs: m.maxEpochs,
                record: m.record,
              });
            }
          },
        );
        if (reply.type !== 'trial-done') throw new Error(`unexpected reply ${reply.type}`);
        store.finishTrial(trial.id, reply.result);
      } catch (failure) {
        if (this.cancelled) return;
        store.finishTrial(trial.id, failedResult(errorMessage(failure), worker.backend));
      }
      onEvent({ type: 'trial-finished', suiteId, trial: store.getTrial(trial.id)! });
    }
  }

  private async workerFor(slot: number): Promise<LiveWorker> {
    const current = this.workers[slot];
    if (current?.alive) return current;
    const fresh = await LiveWorker.start(this.options.forkWorker, this.options.backend);
    this.workers[slot] = fresh;
    if (this.cancelled) fresh.kill();
    return fresh;
  }
}

/** A first worker, with the backend loaded and the suite's inputs checked in it; nothing is stored before this. */
async function checkedWorker(
  options: RunnerOptions,
  suite: LoadedSuite,
): Promise<{ worker: LiveWorker; summary: CheckSummary }> {
  const worker = await LiveWorker.start(options.forkWorker, options.backend);
  try {
    return { worker, summary: await check(worker, suite) };
  } catch (error) {
    worker.kill();
    throw error;
  }
}

async function check(worker: LiveWorker, suite: LoadedSuite): Promise<CheckSummary> {
  const reply = await worker.request(
    {
      type: 'check',
      job: {
        spec: suite.spec,
        baseDir: suite.baseDir,
        base: suite.spec.pretrainedModel ? baseModelRef(suite.spec, suite.baseDir) : null,
      },
    },
    (m) => m.type === 'check-ok' || m.type === 'check-failed',
  );
  if (reply.type === 'check-failed') {
    throw reply.userError ? new UserError(`${suite.origin}: ${reply.error}`) : new Error(reply.error);
  }
  if (reply.type !== 'check-ok') throw new Error(`unexpected reply ${reply.type}`);
  return reply.summary;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
