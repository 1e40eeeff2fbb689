import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import type { BackendInfo } from '../backend/select-backend.js';
import { loadTask } from '../datasets/load-dataset.js';
import { loadSourceTask } from '../train/source-task.js';
import { encodeTask } from '../datasets/task-file.js';
import {
  FINISHED_TRIAL_STATUSES,
  type BackendChoice,
  type PretrainRecord,
  type RunEvent,
  type RunEventListener,
  type SuiteStatus,
  type TrialRecord,
} from '../domain.js';
import { UserError, errorMessage } from '../errors.js';
import { readModelArtifacts, writeModelArtifacts } from '../models/model-io.js';
import { engineModelPath, prepareSuiteModels } from '../models/model-source.js';
import { environmentInfo } from '../runner/environment.js';
import { LiveWorker } from '../runner/live-worker.js';
import {
  HEARTBEAT_MS,
  STALE_AFTER_MS,
  describeOwner,
  endRun,
  ownerLooksAlive,
  thisProcessOwner,
} from '../runner/run-owner.js';
import { planTrials } from '../runner/suite-runner.js';
import type { WorkerForker } from '../runner/worker-process.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { RunOwner, Store } from '../store/store.js';
import { failedResult } from '../train/failed-result.js';
import { PRETRAIN_META, pretrainCacheKey, pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { needsBaseModel } from '../train/run-trial.js';
import type { BlobStore } from './blob-store.js';
import { packFiles } from './folder-pack.js';
import { listenProgress } from './progress-channel.js';
import { claimTrial, findPretrained, jobToken, recordPretrained } from './trial-claims.js';
import { failureMessage, type EnqueueOptions, type TrialJobData, type TrialQueue } from './trial-queue.js';
import { hasNamedSources } from '../spec/sources.js';

export interface DistributedRunOptions {
  store: Store;
  /** The same database as the store, for what is not the store's (the queue's progress notifications). */
  pool: pg.Pool;
  /** Its URL, for the connection that listens to the workers' progress. */
  connectionString: string;
  queue: TrialQueue;
  blobs: BlobStore;
  /** The suite is checked here first (datasets, sizes, model) in a worker process, as for a local run. */
  forkWorker: WorkerForker;
  backend: BackendChoice;
  jobs: EnqueueOptions;
  onEvent: RunEventListener;
  /** Lines worth telling the user that are not events (e.g. the database is unreachable for a while). */
  onNotice?: (message: string) => void;
  pollMs?: number;
  heartbeatMs?: number;
  staleAfterMs?: number;
  /** A trial whose worker's heartbeat stayed the same this long is handed to another worker (default TRIAL_SILENT_AFTER_MS). */
  trialSilentAfterMs?: number;
}

/**
 * How long a running trial's heartbeat (its worker refreshes it every TRIAL_HEARTBEAT_MS) may stand still before the
 * run takes its worker for dead and hands the trial to another one. Measured on this process's clock from when it
 * saw the heartbeat change last (so clocks of other machines do not matter), and counted again from zero after the
 * database was away (nobody could beat then).
 */
export const TRIAL_SILENT_AFTER_MS = 30_000;

type Base = { hash: string; cutLayer: string };

/** What the workers need of a suite, stored as blobs: the target task, and the source model or what makes it. */
interface SuiteBlobs {
  taskHash: string;
  base: Base | null;
  /** When the source model is still to be pretrained: its cache key and the source task's blob. */
  pretrain: { cacheKey: string; sourceHash: string } | null;
  /** The record of a source model found already made (in the database or this machine's cache). */
  reused: PretrainRecord | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
const MODEL_FILES = ['model.json', 'weights.bin'];

/** Packs a saved model folder (model.json + weights.bin, as writeModelArtifacts writes it) as a blob. */
async function putModel(blobs: BlobStore, modelPath: string, extra: string[] = []): Promise<string> {
  const staging = mkdtempSync(join(tmpdir(), 'tb-model-'));
  try {
    writeModelArtifacts(readModelArtifacts(modelPath), staging);
    const files = [...MODEL_FILES];
    for (const name of extra) {
      copyFileSync(join(resolve(modelPath), name), join(staging, name));
      files.push(name);
    }
    return (await blobs.put(packFiles(staging, files))).hash;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Reads the suite's data here (where its files are) and stores what the workers need as blobs, once. */
/**
 * A suite with several `sources` is not run distributed yet: the workers pretrain and load one source model per suite.
 * Refused before anything is stored, with what to do instead.
 */
export function refuseSeveralSources(suite: LoadedSuite): void {
  if (hasNamedSources(suite.spec)) {
    throw new UserError(
      `${suite.origin} names several sources ("sources"), which distributed runs do not support yet: run it without --distributed`,
    );
  }
}

async function storeSuiteBlobs(options: DistributedRunOptions, spec: SuiteSpec, baseDir: string): Promise<SuiteBlobs> {
  const { blobs, store } = options;
  const target = await loadTask(spec.target.dataset, spec.target.testPerClass, { baseDir });
  const { hash: taskHash } = await blobs.put(
    encodeTask({ pool: target.pool, test: target.test, standardise: target.standardise }),
  );
  if (spec.pretrainedModel) {
    const path = engineModelPath(spec.pretrainedModel.path, baseDir);
    return {
      taskHash,
      base: { hash: await putModel(blobs, path), cutLayer: spec.pretrainedModel.cutLayer },
      pretrain: null,
      reused: null,
    };
  }
  const cacheKey = pretrainCacheKey(spec, baseDir);
  if (!cacheKey || !spec.pretrain) return { taskHash, base: null, pretrain: null, reused: null };
  const cutLayer = featuresLayer(spec.architecture);
  const known = await findPretrained(store, cacheKey);
  if (known) {
    const record = JSON.parse(known.recordJson) as PretrainRecord;
    return { taskHash, base: { hash: known.blobHash, cutLayer }, pretrain: null, reused: { ...record, reused: true } };
  }
  const local = readCachedPretrain(cacheKey);
  if (local) {
    const hash = await putModel(blobs, pretrainDir(cacheKey), [PRETRAIN_META]);
    await recordPretrained(store, cacheKey, hash, JSON.stringify(local));
    return { taskHash, base: { hash, cutLayer }, pretrain: null, reused: { ...local, reused: true } };
  }
  const source = await loadSourceTask(spec, baseDir);
  const { hash: sourceHash } = await blobs.put(
    encodeTask({ pool: source.pool, test: source.test, standardise: source.standardise }),
  );
  return { taskHash, base: null, pretrain: { cacheKey, sourceHash }, reused: null };
}

/** A first worker process with the backend loaded and the suite's inputs checked in it, as a local run does. */
async function checkSuite(
  options: DistributedRunOptions,
  suite: LoadedSuite,
): Promise<{ backend: BackendInfo; notices: string[] }> {
  await prepareSuiteModels(suite.spec, suite.baseDir);
  const worker = await LiveWorker.start(options.forkWorker, options.backend);
  try {
    const { spec, baseDir } = suite;
    const base = spec.pretrainedModel
      ? { path: engineModelPath(spec.pretrainedModel.path, baseDir), cutLayer: spec.pretrainedModel.cutLayer }
      : null;
    const summary = await worker.check({ spec, baseDir, base }, suite.origin);
    return { backend: worker.backend, notices: summary.notices };
  } finally {
    worker.kill();
  }
}

/**
 * `run --distributed`: creates the suite, stores what its trials need as blobs, enqueues its trials for the workers
 * (`transfer-bench worker`) instead of training here, and follows them to the end with the same events as a local
 * run. The source model is pretrained once, by one worker, as a job of its own: the trials that start from it are
 * enqueued when it is in the database, the others (scratch) right away, so no worker waits idle on a lock.
 * `cancel()` cancels the suite's jobs not yet finished; finished trials stay and `resume` enqueues the rest.
 */
export class DistributedRun {
  private cancelled = false;
  private lost = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly reported = new Set<number>();
  private readonly started = new Set<number>();
  /** Per running trial: the lease last seen (its token and heartbeat), and when this process saw it change. */
  private readonly leases = new Map<number, { token: string; heartbeatAt: number | null; seenAt: number }>();
  /** The source model the trials that need one start from, once it is known. */
  private base: Base | null;
  private lastProblem = '';
  finished!: Promise<SuiteStatus>;

  private constructor(
    readonly suiteId: number,
    private readonly options: DistributedRunOptions,
    private readonly spec: SuiteSpec,
    private readonly owner: RunOwner,
    private readonly backend: BackendInfo,
    private readonly blobs: SuiteBlobs,
    private readonly notices: string[],
  ) {
    this.base = blobs.base;
  }

  static async start(options: DistributedRunOptions, suite: LoadedSuite): Promise<DistributedRun> {
    refuseSeveralSources(suite);
    const { backend, notices } = await checkSuite(options, suite);
    const blobs = await storeSuiteBlobs(options, suite.spec, suite.baseDir);
    const owner = thisProcessOwner();
    try {
      const suiteId = await options.store.createSuite({
        spec: suite.spec,
        baseDir: suite.baseDir,
        backendChoice: options.backend,
        env: environmentInfo(backend),
        trials: planTrials(suite.spec),
        owner,
      });
      return await new DistributedRun(suiteId, options, suite.spec, owner, backend, blobs, notices).begin();
    } catch (error) {
      endRun(owner.token);
      throw error;
    }
  }

  /** Enqueues what is not finished of a stored suite; refused while another live run holds it (unless `force`). */
  static async resume(
    options: DistributedRunOptions,
    suiteId: number,
    resume: { force?: boolean; retryFailed?: boolean; onTakeOver?: (message: string) => void } = {},
  ): Promise<DistributedRun> {
    const { store, queue } = options;
    const stored = await store.requireSuite(suiteId);
    const trials = await store.listTrials(suiteId);
    const failed = trials.filter((t) => t.status === 'failed').length;
    if (
      stored.trialsTotal === stored.trialsFinished &&
      (failed === 0 || !resume.retryFailed) &&
      stored.status !== 'running'
    ) {
      throw new UserError(
        `suite ${suiteId} is already complete: nothing to resume` +
          (failed > 0 ? ` (${failed} failed; to run them again: resume ${suiteId} --retry-failed)` : ''),
      );
    }
    const suite: LoadedSuite = { spec: stored.spec, baseDir: stored.baseDir, origin: `suite ${suiteId}` };
    refuseSeveralSources(suite);
    const { backend, notices } = await checkSuite(options, suite);
    const blobs = await storeSuiteBlobs(options, suite.spec, suite.baseDir);
    const owner = thisProcessOwner();
    const isAlive = (o: Parameters<typeof ownerLooksAlive>[0]) =>
      ownerLooksAlive(o, Date.now(), options.staleAfterMs ?? STALE_AFTER_MS);
    try {
      const before = await store.claimSuite(suiteId, owner, { isAlive, force: resume.force ?? false });
      if (before.status === 'running' && before.owner && isAlive(before.owner)) {
        resume.onTakeOver?.(
          `suite ${suiteId} looked alive (${describeOwner(before.owner)}); taking it over: that run stops at its next heartbeat`,
        );
      }
      // jobs an earlier run left in the queue (it was killed, or is being taken over) would run trials that are reset
      // below: cancel them (their claim would be refused anyway: they carry the earlier run's token)
      await queue.cancelSuite(suiteId);
      await store.resetUnfinishedTrials(suiteId, owner.token, { retryFailed: resume.retryFailed ?? false });
      return await new DistributedRun(suiteId, options, suite.spec, owner, backend, blobs, notices).begin();
    } catch (error) {
      endRun(owner.token);
      throw error;
    }
  }

  cancel(): void {
    this.cancelled = true;
  }

  private emit(event: RunEvent): void {
    this.options.onEvent(event);
  }

  private problem(message: string): void {
    if (message !== this.lastProblem) this.options.onNotice?.(message);
    this.lastProblem = message;
  }

  private trialJob(trial: TrialRecord, base: Base | null): TrialJobData {
    const { suiteId, owner } = this;
    return { kind: 'trial', suiteId, trialId: trial.id, taskHash: this.blobs.taskHash, base, runToken: owner.token };
  }

  private needsBase(trial: TrialRecord): boolean {
    return this.blobs.base !== null || this.blobs.pretrain !== null
      ? needsBaseModel({ spec: this.spec, key: trial })
      : false;
  }

  private async begin(): Promise<this> {
    const { store, queue, jobs } = this.options;
    const { suiteId } = this;
    const trials = await store.listTrials(suiteId);
    const finished = trials.filter((t) => (FINISHED_TRIAL_STATUSES as readonly string[]).includes(t.status));
    for (const t of finished) this.reported.add(t.id);
    this.emit({
      type: 'suite-started',
      suiteId,
      total: trials.length,
      finished: finished.length,
      notices: this.notices,
    });
    const pending = trials.filter((t) => t.status === 'pending');
    const { base, pretrain, reused } = this.blobs;
    if (reused) {
      await store.setSuitePretrain(suiteId, reused);
      this.emit({ type: 'pretrain-finished', suiteId, reused: true, wallSeconds: reused.wallSeconds });
    }
    if (pretrain) {
      await queue.enqueue([{ kind: 'pretrain', suiteId, ...pretrain, runToken: this.owner.token }], jobs);
      this.emit({
        type: 'pretrain-started',
        suiteId,
        cacheKey: pretrain.cacheKey,
        epochs: this.spec.pretrain?.epochs ?? 0,
      });
    }
    const now = pending.filter((t) => !pretrain || !this.needsBase(t));
    await queue.enqueue(
      now.map((t) => this.trialJob(t, this.needsBase(t) ? base : null)),
      jobs,
    );
    const waiting = pretrain ? pending.filter((t) => this.needsBase(t)) : [];
    this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    const listener = listenProgress(this.options.connectionString, suiteId, (event) => this.onProgress(event));
    this.finished = this.follow(waiting).finally(async () => {
      endRun(this.owner.token);
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      await listener.close();
    });
    this.finished.catch(() => {});
    return this;
  }

  private async beat(): Promise<void> {
    try {
      if (!(await this.options.store.heartbeat(this.suiteId, this.owner.token))) {
        this.lost = true;
      }
    } catch {
      // the database is away for a moment; a later heartbeat may succeed
    }
  }

  /** Live events from the workers, for trials not finished yet. */
  private onProgress(event: RunEvent): void {
    if (event.type === 'trial-started' || event.type === 'trial-epoch') {
      if (this.reported.has(event.trialId)) return;
      if (event.type === 'trial-started') this.started.add(event.trialId);
    }
    if (event.type === 'pretrain-epoch' || event.type === 'trial-started' || event.type === 'trial-epoch') {
      this.emit(event);
    }
  }

  private async follow(waiting: TrialRecord[]): Promise<SuiteStatus> {
    const { suiteId } = this;
    let status: SuiteStatus = 'done';
    let error: string | null = null;
    for (;;) {
      if (this.lost) {
        error = `suite ${suiteId} was taken over by another run; this run stopped`;
        this.emit({ type: 'suite-finished', suiteId, status: 'cancelled', error });
        return 'cancelled';
      }
      if (this.cancelled) {
        status = 'cancelled';
        break;
      }
      try {
        const outcome = await this.poll(waiting);
        this.lastProblem = '';
        if (outcome === 'complete') break;
        if (outcome !== null) {
          status = 'failed';
          error = outcome.error;
          break;
        }
      } catch (problem) {
        this.problem(`cannot read the suite's progress (${errorMessage(problem)}); trying again`);
        // no worker can beat while the database is away: every trial's silence counts from when it is back
        this.leases.clear();
      }
      await sleep(this.options.pollMs ?? 1000);
    }
    await this.end(status, error);
    return status;
  }

  /** Writes the suite's end: jobs not finished are cancelled; trials still running become `cancelled` (resumable). */
  private async end(status: SuiteStatus, error: string | null): Promise<void> {
    const { store, queue } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        if (status !== 'done') await queue.cancelSuite(this.suiteId, { runToken: this.owner.token });
        await store.releaseSuite(this.suiteId, this.owner.token, { status, error });
        break;
      } catch (problem) {
        if (attempt >= 30) {
          error = [error, `the suite's final status could not be stored: ${errorMessage(problem)}`]
            .filter(Boolean)
            .join('; ');
          status = 'failed';
          break;
        }
        this.problem(`cannot store the suite's end (${errorMessage(problem)}); trying again`);
        await sleep(2000);
      }
    }
    this.emit({ type: 'suite-finished', suiteId: this.suiteId, status, error });
  }

  /** One look at the database: reports what changed; 'complete' when every trial finished, an error to stop on. */
  private async poll(waiting: TrialRecord[]): Promise<'complete' | { error: string } | null> {
    const { store, queue, jobs } = this.options;
    const { suiteId } = this;
    const pretrain = this.blobs.pretrain;
    if (pretrain && waiting.length > 0) {
      const made = await findPretrained(store, pretrain.cacheKey);
      if (made) {
        const record = JSON.parse(made.recordJson) as PretrainRecord;
        const base = { hash: made.blobHash, cutLayer: featuresLayer(this.spec.architecture) };
        await queue.enqueue(
          waiting.map((t) => this.trialJob(t, base)),
          jobs,
        );
        waiting.splice(0);
        this.base = base;
        this.emit({ type: 'pretrain-finished', suiteId, reused: false, wallSeconds: record.wallSeconds });
      }
    }
    await this.handBackSilentTrials();
    for (const job of await queue.failedJobs(suiteId)) {
      const reason = failureMessage(job.output);
      if (job.data.kind === 'pretrain') return { error: `pretraining failed on the workers: ${reason}` };
      await this.failTrial(
        job.id,
        job.data.trialId,
        `its job failed on the workers (${reason}) and ran out of attempts`,
      );
      await queue.forget([job.id]);
    }
    const trials = await store.listTrials(suiteId);
    let open = 0;
    for (const trial of trials) {
      const done = (FINISHED_TRIAL_STATUSES as readonly string[]).includes(trial.status);
      if (!done) open++;
      if (done && !this.reported.has(trial.id)) {
        this.reported.add(trial.id);
        this.emit({ type: 'trial-finished', suiteId, trial });
      } else if (trial.status === 'running' && !this.started.has(trial.id)) {
        this.started.add(trial.id);
        const maxEpochs = this.spec.approaches[trial.approach]?.epochs ?? 0;
        const key = { approach: trial.approach, trainSize: trial.trainSize, seed: trial.seed };
        this.emit({ type: 'trial-started', suiteId, trialId: trial.id, key, maxEpochs });
      }
    }
    return open === 0 ? 'complete' : null;
  }

  /**
   * Gives the trials of workers that went silent (SIGKILLed, machine gone) back to the queue: a trial whose heartbeat
   * stood still for trialSilentAfterMs is pending again, its dead worker's job cancelled and a new job enqueued, and
   * the user is told. Within about a minute instead of the job's expiry (--trial-timeout).
   */
  private async handBackSilentTrials(): Promise<void> {
    const { store, queue, jobs } = this.options;
    const silentAfter = this.options.trialSilentAfterMs ?? TRIAL_SILENT_AFTER_MS;
    const now = Date.now();
    const running = await store.listTrialLeases(this.suiteId);
    const seen = new Set<number>();
    for (const lease of running) {
      if (!lease.token.startsWith('job:')) continue;
      seen.add(lease.id);
      const last = this.leases.get(lease.id);
      if (!last || last.token !== lease.token || last.heartbeatAt !== lease.heartbeatAt) {
        this.leases.set(lease.id, { token: lease.token, heartbeatAt: lease.heartbeatAt, seenAt: now });
        continue;
      }
      if (now - last.seenAt < silentAfter) continue;
      if (!(await store.handBackTrial(lease.id, lease.token))) continue;
      this.leases.delete(lease.id);
      const who = lease.worker ? `${lease.worker.host}/${lease.worker.name}` : 'its worker';
      const silentFor =
        lease.heartbeatAt === null ? now - last.seenAt : Math.max(now - lease.heartbeatAt, now - last.seenAt);
      this.problem(
        `trial ${lease.id}: worker ${who} silent for ${Math.round(silentFor / 1000)} s; handing it to another worker`,
      );
      await queue.cancelJobs([lease.token.slice('job:'.length)]);
      const trial = await store.getTrial(lease.id);
      if (trial) await queue.enqueue([this.trialJob(trial, this.needsBase(trial) ? this.base : null)], jobs);
      this.started.delete(lease.id);
    }
    for (const id of this.leases.keys()) if (!seen.has(id)) this.leases.delete(id);
  }

  /** A trial whose job ran out of attempts (its workers kept dying) is stored as failed, with the reason. */
  private async failTrial(jobId: string, trialId: number, reason: string): Promise<void> {
    const { store } = this.options;
    const token = jobToken(jobId);
    const claimed = await claimTrial(
      store,
      trialId,
      token,
      { host: hostname(), name: 'the run following the suite' },
      { countAttempt: false, runToken: this.owner.token },
    );
    if (claimed !== null) await store.finishTrial(trialId, token, failedResult(reason, this.backend));
  }
}
