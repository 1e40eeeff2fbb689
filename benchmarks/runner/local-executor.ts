import type { BackendInfo } from '../backend/select-backend.js';
import type { BackendChoice, PretrainRecord, TrialKey, TrialRecord, TrialResult } from '../domain.js';
import { errorMessage } from '../errors.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import { hasNamedSources } from '../spec/sources.js';
import { describeDataset } from '../spec/describe-dataset.js';
import { TrialNotRunningError, type Store } from '../store/store.js';
import { failedResult } from '../train/failed-result.js';
import type { TrialJob } from '../train/jobs.js';
import { pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { LiveWorker } from './live-worker.js';
import { baseModelRef, type SourcePlan } from './source-plan.js';
import { StorageError, storageFailure } from './storage-error.js';
import type { RunContext, TrialExecutor } from './trial-executor.js';
import { workerCount } from './worker-limit.js';
import type { WorkerForker } from './worker-process.js';

export interface LocalExecutorOptions {
  forkWorker: WorkerForker;
  backend: BackendChoice;
  /** Worker processes; default and limit in worker-limit.ts. */
  workers?: number;
  /**
   * On a shared database: cancels the suite's jobs still queued for the workers of a distributed run (one that was
   * killed, or is being taken over), before a resume runs its trials here; returns how many it cancelled.
   */
  cancelQueuedJobs?: (suiteId: number) => Promise<number>;
}

function storageMessage(suiteId: number, trial: TrialRecord, store: Store, error: unknown): string {
  return storageFailure(
    `the result of trial ${trial.id} (${trial.approach}, ${trial.trainSize} examples, seed ${trial.seed})`,
    'The trial is left unfinished',
    suiteId,
    store,
    error,
  );
}

/**
 * Trials trained on this machine: worker slots (LiveWorker processes, replaced when one dies) take the round's trials
 * off one queue; this process writes every finished trial in its own transaction under the run's token.
 */
export class LocalExecutor implements TrialExecutor {
  private readonly workers: LiveWorker[] = [];
  /** Worker processes being started for their slots ahead of the first round (startOtherSlots). */
  private readonly starting = new Map<number, Promise<LiveWorker>>();
  /** The backend the first worker loaded (prepare). */
  private backend: BackendInfo | null = null;
  readonly endRetries = { retries: 0, delayMs: 0 };

  constructor(private readonly options: LocalExecutorOptions) {}

  async prepare(suite: LoadedSuite, trialsToRun: number): Promise<{ backend: BackendInfo; notices: string[] }> {
    // The other slots' processes start with the first when their number does not hang on the backend the first one
    // loads (a number of workers asked for, or wasm/cpu named); otherwise once it has loaded, while it checks.
    // (the backend passed to workerCount only sets the default number)
    const { workers: requested, backend: choice } = this.options;
    const named = choice === 'wasm' || choice === 'cpu' ? choice : null;
    const early = requested !== undefined || named !== null;
    const first = LiveWorker.start(this.options.forkWorker, this.options.backend);
    if (early) this.startOtherSlots(workerCount(requested, named ?? 'wasm', trialsToRun));
    const worker = await first;
    if (!early) this.startOtherSlots(workerCount(requested, worker.backend.name, trialsToRun));
    try {
      const { spec, baseDir } = suite;
      const summary = await worker.check(
        { spec, baseDir, base: spec.pretrainedModel ? baseModelRef(spec, baseDir, null) : null },
        suite.origin,
      );
      // the first slot's process: the backend is loaded already
      this.workers[0] = worker;
      this.backend = worker.backend;
      return { backend: worker.backend, notices: summary.notices };
    } catch (error) {
      worker.kill();
      throw error;
    }
  }

  async cancelEarlierJobs(suiteId: number): Promise<number> {
    return (await this.options.cancelQueuedJobs?.(suiteId)) ?? 0;
  }

  /**
   * Pretrains every source that names a source task, once each (a model already in the cache is reused), and stores
   * their records as they come.
   */
  async pretrain(run: RunContext): Promise<void> {
    for (const plan of run.sources) {
      if (!plan.cacheKey) continue;
      await run.recordPretrain(plan, await this.pretrainSource(run, plan, plan.cacheKey));
    }
  }

  /** Pretrains one source (or reads it from the cache) and returns its record. */
  private async pretrainSource(run: RunContext, plan: SourcePlan, cacheKey: string): Promise<PretrainRecord> {
    const { suiteId } = run;
    const { spec, source } = plan;
    const named = source === undefined ? {} : { source };
    const cached = readCachedPretrain(cacheKey);
    if (cached) {
      run.emit({ type: 'pretrain-finished', suiteId, ...named, reused: true, wallSeconds: cached.wallSeconds });
      return { ...cached, reused: true, sourceDescription: describeDataset(spec.pretrain!.dataset) };
    }
    run.emit({ type: 'pretrain-started', suiteId, ...named, cacheKey, epochs: spec.pretrain?.epochs ?? 0 });
    const worker = await this.workerFor(run, 0);
    const record = await worker.pretrain(
      {
        spec,
        baseDir: run.suite.baseDir,
        cacheKey,
        outDir: pretrainDir(cacheKey),
        ...(plan.identity ? { identity: plan.identity } : {}),
      },
      (epoch) => run.emit({ type: 'pretrain-epoch', suiteId, ...named, ...epoch }),
    );
    run.emit({ type: 'pretrain-finished', suiteId, ...named, reused: false, wallSeconds: record.wallSeconds });
    return record;
  }

  async runRound(run: RunContext, trials: TrialRecord[]): Promise<void> {
    const queue = [...trials];
    if (!this.backend) throw new Error('LocalExecutor: prepare() first');
    const target = workerCount(this.options.workers, this.backend.name, queue.length);
    // A slot that cannot start a worker stops; the others keep draining the queue before the suite is failed.
    const slots = await Promise.allSettled(Array.from({ length: target }, (_, slot) => this.drain(run, slot, queue)));
    const broken = slots.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (broken && !run.stopping) throw broken.reason;
  }

  /**
   * Starts the worker processes of slots 1…`slots`-1 without waiting for them: they load their backend while the
   * first one starts and checks the suite, so that every slot takes its first trial at once (started when the trials
   * began, the other slots began a worker's start-up later than the first and the run ended that much later). A slot
   * whose process fails to start fails when it takes its first trial (workerFor), as before.
   */
  private startOtherSlots(slots: number): void {
    for (let slot = 1; slot < slots; slot++) {
      if (this.workers[slot] || this.starting.has(slot)) continue;
      const started = LiveWorker.start(this.options.forkWorker, this.options.backend);
      // awaited by the slot's first workerFor; until then a failure to start is not an unhandled rejection
      started.catch(() => {});
      this.starting.set(slot, started);
    }
  }

  halt(): void {
    for (const worker of this.workers) worker.kill();
    // those still starting are killed once started (a slot's workerFor also kills what it gets once the run stops)
    for (const started of this.starting.values())
      started.then(
        (worker) => worker.kill(),
        () => {},
      );
  }

  async end(): Promise<void> {}

  async close(): Promise<void> {
    this.halt();
  }

  /** The job of one trial: the suite as its source sees it, and the model it starts from. */
  private trialJob(run: RunContext, trial: TrialRecord, key: TrialKey): TrialJob {
    const named = hasNamedSources(run.suite.spec) ? trial.source : undefined;
    const plan = run.sources.find((p) => p.source === named);
    if (!plan)
      throw new Error(`trial ${trial.id} names source "${trial.source}", which suite ${run.suiteId} does not have`);
    const base = baseModelRef(plan.spec, run.suite.baseDir, plan.cacheKey);
    return { trialId: trial.id, spec: plan.spec, baseDir: run.suite.baseDir, key, base };
  }

  /** One worker slot: takes trials off the shared queue until it is empty, replacing its process if it dies. */
  private async drain(run: RunContext, slot: number, queue: TrialRecord[]): Promise<void> {
    const { store, suiteId, owner } = run;
    while (!run.stopping && queue.length > 0) {
      // The worker first, then the trial: a slot that cannot start a worker leaves its trial to the other slots.
      const worker = await this.workerFor(run, slot);
      if (run.stopping) return;
      const trial = queue.shift();
      if (!trial) return;
      const key: TrialKey = {
        approach: trial.approach,
        ...(trial.source === undefined ? {} : { source: trial.source }),
        trainSize: trial.trainSize,
        seed: trial.seed,
      };
      const job = this.trialJob(run, trial, key);
      try {
        if (!(await store.markTrialRunning(trial.id, owner.token))) continue;
      } catch (error) {
        run.stop(new StorageError(storageMessage(suiteId, trial, store, error)));
        return;
      }
      let result: TrialResult;
      try {
        result = await worker.runTrial(job, {
          onStart: (maxEpochs) => run.emit({ type: 'trial-started', suiteId, trialId: trial.id, key, maxEpochs }),
          onEpoch: (record, maxEpochs) =>
            run.emit({ type: 'trial-epoch', suiteId, trialId: trial.id, key, maxEpochs, record }),
        });
      } catch (failure) {
        // The trial's own failure (its worker died, or it threw): kept as a failed trial.
        if (run.stopping) return;
        result = failedResult(errorMessage(failure), worker.backend);
      }
      if (!(await this.storeResult(run, trial, result))) return;
      run.emit({ type: 'trial-finished', suiteId, trial: (await store.getTrial(trial.id))! });
    }
  }

  /** Writes a finished trial; when it cannot be written, stops the run (see StorageError) and returns false. */
  private async storeResult(run: RunContext, trial: TrialRecord, result: TrialResult): Promise<boolean> {
    const { store, owner } = run;
    try {
      await store.finishTrial(trial.id, owner.token, result);
      return true;
    } catch (error) {
      if (error instanceof TrialNotRunningError) {
        run.lose();
        return false;
      }
      run.stop(new StorageError(storageMessage(run.suiteId, trial, store, error)));
      try {
        await store.markTrialCancelled(trial.id, owner.token, 'its result could not be stored; resume runs it again');
      } catch {
        // Still cannot write: the trial stays `running`, which resume also runs again.
      }
      return false;
    }
  }

  private async workerFor(run: RunContext, slot: number): Promise<LiveWorker> {
    const current = this.workers[slot];
    if (current?.alive) return current;
    const early = this.starting.get(slot);
    this.starting.delete(slot);
    const start = () => LiveWorker.start(this.options.forkWorker, this.options.backend);
    let fresh = await (early ?? start());
    // one started early may have died while it waited (pretraining can take long)
    if (!fresh.alive) fresh = await start();
    this.workers[slot] = fresh;
    if (run.stopping) fresh.kill();
    return fresh;
  }
}
