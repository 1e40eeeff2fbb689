import { resolve } from 'node:path';
import {
  type BackendChoice,
  type PretrainRecord,
  type RunEventListener,
  type SuiteStatus,
  type TrialKey,
  type TrialRecord,
  type TrialResult,
} from '../domain.js';
import { UserError, errorMessage } from '../errors.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { TrialNotRunningError, type RunOwner, type Store, type StoredSuite } from '../store/store.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import { hasNamedSources, sourceNames, suiteArms, specForSource } from '../spec/sources.js';
import { describeDataset } from '../spec/describe-dataset.js';
import { engineModelPath, prepareSuiteModels, type DownloadReport } from '../models/model-source.js';
import { failedResult } from '../train/failed-result.js';
import type { BaseModelRef, CheckSummary, TrialJob } from '../train/jobs.js';
import { pretrainCacheKey, pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { environmentInfo } from './environment.js';
import { LiveWorker } from './live-worker.js';
import { HEARTBEAT_MS, STALE_AFTER_MS, describeOwner, endRun, ownerLooksAlive, thisProcessOwner } from './run-owner.js';
import { checkWorkerCount, workerCount } from './worker-limit.js';
import { addNextRound, firstRound } from './adaptive-rounds.js';
import type { WorkerForker } from './worker-process.js';

/**
 * Every trial of a suite, ordered so that early results cover every approach (from every source) at every size of
 * the first seed. In a suite with `sources`, each transfer approach runs once per source and scratch once.
 */
export function planTrials(spec: SuiteSpec): TrialKey[] {
  const adaptive = firstRound(spec);
  if (adaptive) return adaptive;
  const arms = suiteArms(spec);
  return spec.seeds.flatMap((seed) =>
    spec.sizes.flatMap((trainSize) => arms.map((arm) => ({ ...arm, trainSize, seed }))),
  );
}

/**
 * What the run needs per source: the single-source view of the suite its trials and pretraining see (see
 * specForSource; key `undefined` is a single-source suite's only source, or the scratch trials of a suite with
 * `sources`) and its pretraining cache key (null when it pretrains nothing). Computing the keys reads the source
 * data files: done once per run.
 */
export interface SourcePlan {
  source: string | undefined;
  spec: SuiteSpec;
  cacheKey: string | null;
}

export function planSources(suite: LoadedSuite): SourcePlan[] {
  const names: (string | undefined)[] = hasNamedSources(suite.spec)
    ? [undefined, ...sourceNames(suite.spec)]
    : [undefined];
  return names.map((source) => {
    const spec = specForSource(suite.spec, source);
    return { source, spec, cacheKey: pretrainCacheKey(spec, suite.baseDir) };
  });
}

function baseModelRef(spec: SuiteSpec, baseDir: string, cacheKey: string | null): BaseModelRef | null {
  if (spec.pretrainedModel)
    return { path: engineModelPath(spec.pretrainedModel.path, baseDir), cutLayer: spec.pretrainedModel.cutLayer };
  return cacheKey
    ? { path: resolve(pretrainDir(cacheKey), 'model.json'), cutLayer: featuresLayer(spec.architecture) }
    : null;
}

/**
 * On resume: the sources whose pretraining cache key changed since the suite started (their data files changed, or
 * pretraining did), in words; the trials left start from the model for the data as it is now.
 */
export function cacheKeyChanges(stored: StoredSuite, sources: SourcePlan[]): string[] {
  const notices: string[] = [];
  for (const { source, cacheKey } of sources) {
    const earlier = (source === undefined ? stored.pretrain : stored.pretrains?.find((p) => p.source === source))
      ?.cacheKey;
    if (cacheKey && earlier && earlier !== cacheKey && stored.trialsFinished > 0) {
      notices.push(
        `the ${source === undefined ? 'source model' : `model of source "${source}"`}'s cache key changed since this suite started (${earlier} → ${cacheKey}: its source data files changed, or pretraining did): the trials left start from the model for the data as it is now, the ${stored.trialsFinished} finished ones started from the earlier one`,
      );
    }
  }
  return notices;
}

export interface RunnerOptions {
  store: Store;
  forkWorker: WorkerForker;
  backend: BackendChoice;
  /** Worker processes; default and limit in worker-limit.ts. */
  workers?: number;
  onEvent: RunEventListener;
  /** How often the run refreshes its heartbeat, and after how long without one a run counts as gone (tests shorten them). */
  heartbeatMs?: number;
  staleAfterMs?: number;
  /**
   * On a shared database: cancels the suite's jobs still queued for the workers of a distributed run (one that was
   * killed, or is being taken over), before a resume runs its trials here; returns how many it cancelled.
   */
  cancelQueuedJobs?: (suiteId: number) => Promise<number>;
  /** Progress of downloading a catalogue model the suite names (first use only). */
  onModelDownload?: (progress: DownloadReport) => void;
}

export interface ResumeOptions {
  /** Take the suite over even though the run holding it looks alive (it is told on its next heartbeat and stops). */
  force?: boolean;
  /** Run failed trials again too (their record is replaced). */
  retryFailed?: boolean;
  /** Called when `force` took the suite from a run that looked alive. */
  onTakeOver?: (message: string) => void;
}

const modelOptions = (options: RunnerOptions) =>
  options.onModelDownload ? { onDownload: options.onModelDownload } : {};

const livenessOf = (options: RunnerOptions) => (owner: Parameters<typeof ownerLooksAlive>[0]) =>
  ownerLooksAlive(owner, Date.now(), options.staleAfterMs ?? STALE_AFTER_MS);

/** Suites left `running` by a run that is gone (see run-owner.ts) are marked cancelled, so that they read as resumable. */
export function recoverInterruptedSuites(store: Store, staleAfterMs = STALE_AFTER_MS): Promise<number[]> {
  return store.recoverInterruptedSuites((owner) => ownerLooksAlive(owner, Date.now(), staleAfterMs));
}

/**
 * The result of a trial could not be written (e.g. a full disk): not the trial's failure. The trial is left
 * unfinished, so that `resume` runs it again, and the run stops.
 */
export class StorageError extends Error {
  override name = 'StorageError';
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

function storageFailure(what: string, consequence: string, suiteId: number, store: Store, error: unknown) {
  const code = (error as { code?: unknown }).code;
  return (
    `could not store ${what} in ${store.location}: ${errorMessage(error)}${typeof code === 'string' ? ` (${code})` : ''}. ` +
    `${consequence}; once the database can be written again (free disk space), ` +
    `run \`transfer-bench resume ${suiteId}\` to finish the suite`
  );
}

/** Runs a store write outside a trial; a failure becomes a StorageError that names the database and what to do. */
async function storing(what: string, suiteId: number, store: Store, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new StorageError(storageFailure(what, 'The suite stopped before running its trials', suiteId, store, error));
  }
}

/**
 * A suite run in progress: holds the suite in the store (claimed atomically, with a heartbeat), owns the worker
 * processes, writes every finished trial in its own transaction, and forwards progress. `cancel()` kills the
 * workers; finished trials stay, the rest can be resumed.
 */
export class SuiteRun {
  private cancelled = false;
  /** Why the run stops early without being cancelled: a result it could not store, or the suite taken over. */
  private stopReason: Error | null = null;
  private lostSuite = false;
  private readonly workers: LiveWorker[] = [];
  private heartbeatTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly suiteId: number,
    private readonly options: RunnerOptions,
    private readonly suite: LoadedSuite,
    private readonly owner: RunOwner,
    /** Per source: its view of the suite and its pretraining cache key, computed once per run. */
    private readonly sources: SourcePlan[],
    /** Lines about the data found by the check (e.g. skipped image files), reported with suite-started. */
    private readonly notices: string[] = [],
  ) {}

  /**
   * Checks the suite's inputs in a worker (datasets, sizes, model) and only then stores it: bad input throws a
   * UserError and leaves the database as it was. Resolves once training has started; `finished` resolves at the end.
   */
  static async start(options: RunnerOptions, suite: LoadedSuite): Promise<SuiteRun> {
    checkWorkerCount(options.workers);
    // the suite is stored with the SHA-256 of the weights it brings
    suite = { ...suite, spec: (await prepareSuiteModels(suite.spec, suite.baseDir, modelOptions(options))).spec };
    const { worker: first, summary } = await checkedWorker(options, suite);
    const owner = thisProcessOwner();
    try {
      const sources = planSources(suite);
      const suiteId = await options.store.createSuite({
        spec: suite.spec,
        baseDir: suite.baseDir,
        backendChoice: options.backend,
        env: environmentInfo(first.backend),
        trials: planTrials(suite.spec),
        owner,
      });
      return new SuiteRun(suiteId, options, suite, owner, sources, summary.notices).begin(first);
    } catch (error) {
      endRun(owner.token);
      first.kill();
      throw error;
    }
  }

  /**
   * Runs what is not finished of a stored suite, after the same checks. The suite is claimed first, atomically:
   * while another live run holds it (in this process or another), this throws a UserError and changes nothing.
   */
  static async resume(options: RunnerOptions, suiteId: number, resume: ResumeOptions = {}): Promise<SuiteRun> {
    const { store } = options;
    const stored = await store.requireSuite(suiteId);
    checkWorkerCount(options.workers);
    const unfinished = stored.trialsTotal - stored.trialsFinished;
    const failed = (await store.listTrials(suiteId)).filter((t) => t.status === 'failed').length;
    // an adaptive suite stopped between rounds has its next round to plan: it is complete once its run ended `done`
    const designOpen = stored.spec.design?.kind === 'adaptive' && stored.status !== 'done';
    if (unfinished === 0 && (failed === 0 || !resume.retryFailed) && stored.status !== 'running' && !designOpen) {
      throw new UserError(
        `suite ${suiteId} is already complete: nothing to resume` +
          (failed > 0 ? ` (${failed} failed; to run them again: resume ${suiteId} --retry-failed)` : ''),
      );
    }
    const owner = thisProcessOwner();
    let before: StoredSuite;
    try {
      before = await store.claimSuite(suiteId, owner, { isAlive: livenessOf(options), force: resume.force ?? false });
    } catch (error) {
      endRun(owner.token);
      throw error;
    }
    if (before.status === 'running' && before.owner && livenessOf(options)(before.owner)) {
      resume.onTakeOver?.(
        `suite ${suiteId} looked alive (${describeOwner(before.owner)}); taking it over: that run stops at its next heartbeat`,
      );
    }
    const giveBack = async () => {
      endRun(owner.token);
      await store.releaseSuite(suiteId, owner.token, {
        status: before.status === 'running' ? 'cancelled' : before.status,
        error: before.error,
        finishedAt: before.finishedAt,
      });
    };
    const suite: LoadedSuite = { spec: stored.spec, baseDir: stored.baseDir, origin: `suite ${suiteId}` };
    let first: LiveWorker;
    let summary: CheckSummary;
    try {
      await prepareSuiteModels(suite.spec, suite.baseDir, modelOptions(options));
      ({ worker: first, summary } = await checkedWorker(options, suite));
    } catch (error) {
      await giveBack();
      throw error;
    }
    try {
      const sources = planSources(suite);
      const notices = [...summary.notices];
      notices.push(...cacheKeyChanges(stored, sources));
      // a distributed run's workers would take these trials too: its queued jobs go first (their claims would be
      // refused anyway, since they carry that run's token)
      const cancelled = (await options.cancelQueuedJobs?.(suiteId)) ?? 0;
      if (cancelled > 0) {
        notices.push(
          `${cancelled} jobs of an earlier distributed run of suite ${suiteId} were still in the queue: cancelled, this run trains their trials`,
        );
      }
      await store.resetUnfinishedTrials(suiteId, owner.token, { retryFailed: resume.retryFailed ?? false });
      return new SuiteRun(suiteId, options, suite, owner, sources, notices).begin(first);
    } catch (error) {
      first.kill();
      await giveBack();
      throw error;
    }
  }

  finished!: Promise<SuiteStatus>;

  cancel(): void {
    this.cancelled = true;
    for (const worker of this.workers) worker.kill();
  }

  /** Stops the run for a reason other than a cancel: the workers are killed, unfinished trials stay resumable. */
  private stop(reason: Error): void {
    this.stopReason ??= reason;
    for (const worker of this.workers) worker.kill();
  }

  private get stopping(): boolean {
    return this.cancelled || this.stopReason !== null;
  }

  private begin(first: LiveWorker): this {
    this.workers.push(first);
    this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    this.finished = this.run().finally(() => {
      endRun(this.owner.token);
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.workers.forEach((w) => w.kill());
    });
    this.finished.catch(() => {});
    return this;
  }

  /** Refreshes the heartbeat; stops the run when another run took the suite over. */
  private async beat(): Promise<void> {
    let holds = true;
    try {
      holds = await this.options.store.heartbeat(this.suiteId, this.owner.token);
    } catch {
      // A heartbeat that cannot be written (busy or full database, server away) is skipped; a later one may succeed.
    }
    if (!holds) {
      this.lostSuite = true;
      this.stop(
        new Error(
          `suite ${this.suiteId} was taken over by another run (resume --force, or one that found this run silent for too long); this run stopped`,
        ),
      );
    }
  }

  private async run(): Promise<SuiteStatus> {
    const { store, onEvent } = this.options;
    const { suiteId } = this;
    const all = await store.listTrials(suiteId);
    onEvent({
      type: 'suite-started',
      suiteId,
      total: all.length,
      finished: all.filter((t) => t.status !== 'pending').length,
      notices: this.notices,
    });
    let status: SuiteStatus = 'done';
    let error: string | null = null;
    try {
      await this.pretrainAll();
      // an adaptive suite (design/) gets its next round once a round is done, until its design stops
      for (let queue = all.filter((t) => t.status === 'pending'); ;) {
        const target = workerCount(this.options.workers, this.workers[0]!.backend.name, queue.length);
        // A slot that cannot start a worker stops; the others keep draining the queue before the suite is failed.
        const slots = await Promise.allSettled(Array.from({ length: target }, (_, slot) => this.drain(slot, queue)));
        const broken = slots.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (this.stopReason) throw this.stopReason;
        if (broken) throw broken.reason;
        if (this.cancelled) status = 'cancelled';
        if (this.cancelled || (queue = await this.nextDesignRound()).length === 0) break;
      }
    } catch (failure) {
      const reason = this.stopReason ?? failure;
      status = this.cancelled && !this.stopReason ? 'cancelled' : 'failed';
      error = status === 'cancelled' ? null : errorMessage(reason);
    }
    if (this.lostSuite) status = 'cancelled';
    else {
      try {
        await store.releaseSuite(suiteId, this.owner.token, { status, error });
      } catch (releaseError) {
        // The database cannot be written (e.g. still full): the suite stays `running` under this run, whose
        // heartbeat stops now, so the next process to open the database sees it interrupted and resumable.
        error = [error, `the suite's final status could not be stored either: ${errorMessage(releaseError)}`]
          .filter(Boolean)
          .join('; ');
        status = 'failed';
      }
    }
    onEvent({ type: 'suite-finished', suiteId, status, error });
    return status;
  }

  /**
   * An adaptive suite's next round, added to the store (runner/adaptive-rounds.ts) and announced as a suite-started
   * event with the new total and the reasons as notices; empty for a fixed grid and once the design stopped.
   */
  private async nextDesignRound(): Promise<TrialRecord[]> {
    const { store, onEvent } = this.options;
    const round = await addNextRound(store, this.suiteId, this.owner.token, this.suite.spec);
    if (!round) return [];
    const trials = await store.listTrials(this.suiteId);
    const notices = round.step.kind === 'add' ? round.step.reasons : [`design stopped: ${round.step.reason}`];
    const finished = trials.filter((t) => t.status !== 'pending').length;
    onEvent({ type: 'suite-started', suiteId: this.suiteId, total: trials.length, finished, notices });
    return round.added;
  }

  /**
   * Pretrains every source that names a source task, once each (a model already in the cache is reused), and stores
   * their records: one for a single-source suite, the list so far for a suite with `sources`.
   */
  private async pretrainAll(): Promise<void> {
    const { store } = this.options;
    const named = hasNamedSources(this.suite.spec);
    const records: PretrainRecord[] = [];
    for (const plan of this.sources) {
      if (!plan.cacheKey) continue;
      const record = await this.pretrain(plan.spec, plan.cacheKey, plan.source);
      records.push(plan.source === undefined ? record : { ...record, source: plan.source });
      await storing('the pretraining record (the model itself is cached)', this.suiteId, store, () =>
        store.setSuitePretrain(this.suiteId, named ? records : records[0]!),
      );
    }
  }

  /** Pretrains one source (or reads it from the cache) and returns its record. */
  private async pretrain(spec: SuiteSpec, cacheKey: string, source: string | undefined): Promise<PretrainRecord> {
    const { onEvent } = this.options;
    const { suiteId } = this;
    const named = source === undefined ? {} : { source };
    const cached = readCachedPretrain(cacheKey);
    if (cached) {
      onEvent({ type: 'pretrain-finished', suiteId, ...named, reused: true, wallSeconds: cached.wallSeconds });
      return { ...cached, reused: true, sourceDescription: describeDataset(spec.pretrain!.dataset) };
    }
    onEvent({ type: 'pretrain-started', suiteId, ...named, cacheKey, epochs: spec.pretrain?.epochs ?? 0 });
    const record = await this.workers[0]!.pretrain(
      { spec, baseDir: this.suite.baseDir, cacheKey, outDir: pretrainDir(cacheKey) },
      (epoch) => onEvent({ type: 'pretrain-epoch', suiteId, ...named, ...epoch }),
    );
    onEvent({ type: 'pretrain-finished', suiteId, ...named, reused: false, wallSeconds: record.wallSeconds });
    return record;
  }

  /** The job of one trial: the suite as its source sees it, and the model it starts from. */
  private trialJob(trial: TrialRecord, key: TrialKey): TrialJob {
    const plan = this.sources.find((p) => p.source === (hasNamedSources(this.suite.spec) ? trial.source : undefined));
    if (!plan)
      throw new Error(`trial ${trial.id} names source "${trial.source}", which suite ${this.suiteId} does not have`);
    const base = baseModelRef(plan.spec, this.suite.baseDir, plan.cacheKey);
    return { trialId: trial.id, spec: plan.spec, baseDir: this.suite.baseDir, key, base };
  }

  /** One worker slot: takes trials off the shared queue until it is empty, replacing its process if it dies. */
  private async drain(slot: number, queue: TrialRecord[]): Promise<void> {
    const { store, onEvent } = this.options;
    const { suiteId } = this;
    while (!this.stopping && queue.length > 0) {
      // The worker first, then the trial: a slot that cannot start a worker leaves its trial to the other slots.
      const worker = await this.workerFor(slot);
      if (this.stopping) return;
      const trial = queue.shift();
      if (!trial) return;
      const key: TrialKey = {
        approach: trial.approach,
        ...(trial.source === undefined ? {} : { source: trial.source }),
        trainSize: trial.trainSize,
        seed: trial.seed,
      };
      const job = this.trialJob(trial, key);
      try {
        if (!(await store.markTrialRunning(trial.id, this.owner.token))) continue;
      } catch (error) {
        this.stop(new StorageError(storageMessage(this.suiteId, trial, store, error)));
        return;
      }
      let result: TrialResult;
      try {
        result = await worker.runTrial(job, {
          onStart: (maxEpochs) => onEvent({ type: 'trial-started', suiteId, trialId: trial.id, key, maxEpochs }),
          onEpoch: (record, maxEpochs) =>
            onEvent({ type: 'trial-epoch', suiteId, trialId: trial.id, key, maxEpochs, record }),
        });
      } catch (failure) {
        // The trial's own failure (its worker died, or it threw): kept as a failed trial.
        if (this.stopping) return;
        result = failedResult(errorMessage(failure), worker.backend);
      }
      if (!(await this.storeResult(trial, result))) return;
      onEvent({ type: 'trial-finished', suiteId, trial: (await store.getTrial(trial.id))! });
    }
  }

  /** Writes a finished trial; when it cannot be written, stops the run (see StorageError) and returns false. */
  private async storeResult(trial: TrialRecord, result: TrialResult): Promise<boolean> {
    const { store } = this.options;
    try {
      await store.finishTrial(trial.id, this.owner.token, result);
      return true;
    } catch (error) {
      if (error instanceof TrialNotRunningError) {
        this.lostSuite = true;
        this.stop(new Error(`suite ${this.suiteId} was taken over by another run; this run stopped`));
        return false;
      }
      this.stop(new StorageError(storageMessage(this.suiteId, trial, store, error)));
      try {
        await store.markTrialCancelled(
          trial.id,
          this.owner.token,
          'its result could not be stored; resume runs it again',
        );
      } catch {
        // Still cannot write: the trial stays `running`, which resume also runs again.
      }
      return false;
    }
  }

  private async workerFor(slot: number): Promise<LiveWorker> {
    const current = this.workers[slot];
    if (current?.alive) return current;
    const fresh = await LiveWorker.start(this.options.forkWorker, this.options.backend);
    this.workers[slot] = fresh;
    if (this.stopping) fresh.kill();
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

function check(worker: LiveWorker, suite: LoadedSuite): Promise<CheckSummary> {
  const { spec, baseDir } = suite;
  return worker.check(
    { spec, baseDir, base: spec.pretrainedModel ? baseModelRef(spec, baseDir, null) : null },
    suite.origin,
  );
}
