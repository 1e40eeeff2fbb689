import pRetry from 'p-retry';
import {
  type BackendChoice,
  type PretrainRecord,
  type RunEventListener,
  type SuiteStatus,
  type TrialRecord,
} from '../domain.js';
import { UserError, errorMessage } from '../errors.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import type { RunOwner, Store, StoredSuite } from '../store/store.js';
import { hasNamedSources } from '../spec/sources.js';
import { prepareSuiteModels, type DownloadReport } from '../models/model-source.js';
import { environmentInfo } from './environment.js';
import { LocalExecutor } from './local-executor.js';
import { HEARTBEAT_MS, STALE_AFTER_MS, describeOwner, endRun, ownerLooksAlive, thisProcessOwner } from './run-owner.js';
import { cacheKeyChanges, cacheMisses, planSources, type SourcePlan } from './source-plan.js';
import { storing } from './storage-error.js';
import type { RunContext, TrialExecutor } from './trial-executor.js';
import { checkWorkerCount } from './worker-limit.js';
import { addNextRound } from './adaptive-rounds.js';
import { planTrials } from './plan-trials.js';
import type { WorkerForker } from './worker-process.js';

export { baseModelRef, cacheKeyChanges, cacheMisses, planSources, type SourcePlan } from './source-plan.js';
export { StorageError } from './storage-error.js';

export interface RunnerOptions {
  store: Store;
  backend: BackendChoice;
  onEvent: RunEventListener;
  /** Lines worth telling the user that are not events (e.g. the database is unreachable for a while). */
  onNotice?: (message: string) => void;
  /**
   * Who trains the trials: by default local worker processes (LocalExecutor, from forkWorker, workers and
   * cancelQueuedJobs below); a distributed run passes the PostgreSQL queue (distributed/queue-executor.ts).
   */
  executor?: TrialExecutor;
  forkWorker: WorkerForker;
  /** Worker processes; default and limit in worker-limit.ts. */
  workers?: number;
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

function executorOf(options: RunnerOptions): TrialExecutor {
  if (options.executor) return options.executor;
  const { forkWorker, backend, workers, cancelQueuedJobs } = options;
  return new LocalExecutor({
    forkWorker,
    backend,
    ...(workers === undefined ? {} : { workers }),
    ...(cancelQueuedJobs ? { cancelQueuedJobs } : {}),
  });
}

/**
 * A suite run in progress, local or distributed: holds the suite in the store (claimed atomically, with a
 * heartbeat), plans it (adaptive rounds too), has its source models made, hands its trials to an executor (local
 * worker processes, or the PostgreSQL queue's workers: runner/trial-executor.ts), forwards progress and writes the
 * suite's end. `cancel()` stops what trains; finished trials stay, the rest can be resumed. Taken over by another
 * run (resume --force, or one that found this run silent), it stops and writes nothing more.
 */
export class SuiteRun {
  private cancelled = false;
  /** Why the run stops early without being cancelled: a result it could not store, or the suite taken over. */
  private stopReason: Error | null = null;
  private lostSuite = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** The pretraining record of each source whose model is known. */
  private readonly records = new Map<SourcePlan, PretrainRecord>();
  private readonly context: RunContext;

  private constructor(
    readonly suiteId: number,
    private readonly options: RunnerOptions,
    private readonly executor: TrialExecutor,
    suite: LoadedSuite,
    owner: RunOwner,
    /** Per source: its view of the suite and its pretraining cache key, computed once per run. */
    sources: SourcePlan[],
    /** Lines about the data found by the check (e.g. skipped image files), reported with suite-started. */
    private readonly notices: string[] = [],
  ) {
    const isStopping = (): boolean => this.stopping;
    this.context = {
      suiteId,
      suite,
      owner,
      sources,
      store: options.store,
      emit: (event) => options.onEvent(event),
      notice: (message) => options.onNotice?.(message),
      recordPretrain: (plan, record) => this.recordPretrain(plan, record),
      stop: (reason) => this.stop(reason),
      lose: () => this.lose(`suite ${suiteId} was taken over by another run; this run stopped`),
      get stopping() {
        return isStopping();
      },
    };
  }

  /**
   * Checks the suite's inputs (datasets, sizes, model) with the executor's backend and only then stores it: bad input
   * throws a UserError and leaves the database as it was. Resolves once training has started; `finished` resolves at
   * the end.
   */
  static async start(options: RunnerOptions, suite: LoadedSuite): Promise<SuiteRun> {
    if (!options.executor) checkWorkerCount(options.workers);
    // the suite is stored with the SHA-256 of the weights it brings
    suite = { ...suite, spec: (await prepareSuiteModels(suite.spec, suite.baseDir, modelOptions(options))).spec };
    const executor = executorOf(options);
    const trials = planTrials(suite.spec);
    let prepared: Awaited<ReturnType<TrialExecutor['prepare']>>;
    try {
      prepared = await executor.prepare(suite, trials.length);
    } catch (error) {
      await executor.close();
      throw error;
    }
    const owner = thisProcessOwner();
    try {
      const sources = prepared.sources ?? planSources(suite, prepared.backend.name);
      prepared.notices.push(...cacheMisses(sources));
      const suiteId = await options.store.createSuite({
        spec: suite.spec,
        baseDir: suite.baseDir,
        backendChoice: options.backend,
        env: environmentInfo(prepared.backend),
        trials,
        owner,
      });
      return new SuiteRun(suiteId, options, executor, suite, owner, sources, prepared.notices).begin();
    } catch (error) {
      endRun(owner.token);
      await executor.close();
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
    if (!options.executor) checkWorkerCount(options.workers);
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
    const executor = executorOf(options);
    try {
      await prepareSuiteModels(suite.spec, suite.baseDir, modelOptions(options));
      const prepared = await executor.prepare(suite, unfinished + (resume.retryFailed ? failed : 0));
      const { notices } = prepared;
      const sources = prepared.sources ?? planSources(suite, prepared.backend.name);
      notices.push(...cacheKeyChanges(stored, sources));
      // a distributed run's workers would take these trials too: its queued jobs go first (their claims would be
      // refused anyway, since they carry that run's token)
      const cancelled = await executor.cancelEarlierJobs(suiteId);
      if (cancelled > 0) {
        notices.push(
          `${cancelled} jobs of an earlier distributed run of suite ${suiteId} were still in the queue: cancelled, this run trains their trials`,
        );
      }
      await store.resetUnfinishedTrials(suiteId, owner.token, { retryFailed: resume.retryFailed ?? false });
      return new SuiteRun(suiteId, options, executor, suite, owner, sources, notices).begin();
    } catch (error) {
      await executor.close();
      await giveBack();
      throw error;
    }
  }

  finished!: Promise<SuiteStatus>;

  cancel(): void {
    this.cancelled = true;
    this.executor.halt();
  }

  /** Stops the run for a reason other than a cancel: what trains stops, unfinished trials stay resumable. */
  private stop(reason: Error): void {
    this.stopReason ??= reason;
    this.executor.halt();
  }

  /** The suite was taken over: this run stops and writes nothing more. */
  private lose(message: string): void {
    this.lostSuite = true;
    this.stop(new Error(message));
  }

  private get stopping(): boolean {
    return this.cancelled || this.stopReason !== null;
  }

  private begin(): this {
    this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    this.finished = this.run().finally(async () => {
      endRun(this.context.owner.token);
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      await this.executor.close();
    });
    this.finished.catch(() => {});
    return this;
  }

  /** Refreshes the heartbeat; stops the run when another run took the suite over. */
  private async beat(): Promise<void> {
    let holds = true;
    try {
      holds = await this.options.store.heartbeat(this.suiteId, this.context.owner.token);
    } catch {
      // A heartbeat that cannot be written (busy or full database, server away) is skipped; a later one may succeed.
    }
    if (!holds) {
      this.lose(
        `suite ${this.suiteId} was taken over by another run (resume --force, or one that found this run silent for too long); this run stopped`,
      );
    }
  }

  /** Stores a source model's record with those known before (see RunContext.recordPretrain). */
  private async recordPretrain(plan: SourcePlan, record: PretrainRecord): Promise<void> {
    const { store } = this.options;
    this.records.set(plan, plan.source === undefined ? record : { ...record, source: plan.source });
    const records = this.context.sources.flatMap((s) => this.records.get(s) ?? []);
    const named = hasNamedSources(this.context.suite.spec);
    await storing('the pretraining record (the model itself is cached)', this.suiteId, store, () =>
      store.setSuitePretrain(this.suiteId, named ? records : records[0]!),
    );
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
      await this.executor.pretrain(this.context);
      // an adaptive suite (design/) gets its next round once a round is done, until its design stops
      for (let queue = all.filter((t) => t.status === 'pending'); ;) {
        if (!this.stopping) await this.executor.runRound(this.context, queue);
        if (this.stopReason) throw this.stopReason;
        if (this.cancelled) status = 'cancelled';
        if (this.cancelled || (queue = await this.nextDesignRound()).length === 0) break;
      }
    } catch (failure) {
      const reason = this.stopReason ?? failure;
      status = this.cancelled && !this.stopReason ? 'cancelled' : 'failed';
      error = status === 'cancelled' ? null : errorMessage(reason);
    }
    if (this.lostSuite) status = 'cancelled';
    else ({ status, error } = await this.end(status, error));
    onEvent({ type: 'suite-finished', suiteId, status, error });
    return status;
  }

  /**
   * Writes the suite's end, after the executor's (e.g. cancelling queued jobs), tried again as the executor says (a
   * shared database away for a while). When it cannot be written (e.g. a full disk) the suite stays `running` under
   * this run, whose heartbeat stops now, so the next process to open the database sees it interrupted and resumable.
   */
  private async end(status: SuiteStatus, error: string | null): Promise<{ status: SuiteStatus; error: string | null }> {
    const { store } = this.options;
    const { retries, delayMs } = this.executor.endRetries;
    try {
      await pRetry(
        async () => {
          await this.executor.end(this.context, status);
          await store.releaseSuite(this.suiteId, this.context.owner.token, { status, error });
        },
        {
          retries,
          minTimeout: delayMs,
          factor: 1,
          randomize: false,
          onFailedAttempt: (failure) => {
            if (failure.retriesLeft > 0)
              this.context.notice(`cannot store the suite's end (${errorMessage(failure)}); trying again`);
          },
        },
      );
      return { status, error };
    } catch (releaseError) {
      const what = retries > 0 ? 'could not be stored' : 'could not be stored either';
      return {
        status: 'failed',
        error: [error, `the suite's final status ${what}: ${errorMessage(releaseError)}`].filter(Boolean).join('; '),
      };
    }
  }

  /**
   * An adaptive suite's next round, added to the store (runner/adaptive-rounds.ts) and announced as a suite-started
   * event with the new total and the reasons as notices; empty for a fixed grid and once the design stopped.
   */
  private async nextDesignRound(): Promise<TrialRecord[]> {
    const { store, onEvent } = this.options;
    const round = await addNextRound(store, this.suiteId, this.context.owner.token, this.context.suite.spec);
    if (!round) return [];
    const trials = await store.listTrials(this.suiteId);
    const notices = round.step.kind === 'add' ? round.step.reasons : [`design stopped: ${round.step.reason}`];
    const finished = trials.filter((t) => t.status !== 'pending').length;
    onEvent({ type: 'suite-started', suiteId: this.suiteId, total: trials.length, finished, notices });
    return round.added;
  }
}
