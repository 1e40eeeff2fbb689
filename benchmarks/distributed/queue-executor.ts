import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BackendInfo } from '../backend/select-backend.js';
import type { BackendName } from '../domain.js';
import { loadTask } from '../datasets/load-dataset.js';
import { loadSourceTask } from '../train/source-task.js';
import { encodeTask } from '../datasets/task-file.js';
import {
  FINISHED_TRIAL_STATUSES,
  type BackendChoice,
  type PretrainRecord,
  type RunEvent,
  type SuiteStatus,
  type TrialRecord,
} from '../domain.js';
import { errorMessage } from '../errors.js';
import { readModelArtifacts, writeModelArtifacts } from '../models/model-io.js';
import { engineModelPath } from '../models/model-source.js';
import { LiveWorker } from '../runner/live-worker.js';
import { planSources, type SourcePlan } from '../runner/source-plan.js';
import type { RunContext, TrialExecutor } from '../runner/trial-executor.js';
import type { WorkerForker } from '../runner/worker-process.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import type { Store } from '../store/store.js';
import { failedResult } from '../train/failed-result.js';
import { PRETRAIN_META, pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { needsBaseModel } from '../train/run-trial.js';
import { hasNamedSources } from '../spec/sources.js';
import type { BlobStore } from './blob-store.js';
import { packFiles } from './folder-pack.js';
import { listenProgress } from './progress-channel.js';
import { claimTrial, findPretrained, jobToken, recordPretrained } from './trial-claims.js';
import { failureMessage, type EnqueueOptions, type TrialJobData, type TrialQueue } from './trial-queue.js';

export interface QueueExecutorOptions {
  store: Store;
  /** The database's URL, for the connection that listens to the workers' progress. */
  connectionString: string;
  queue: TrialQueue;
  blobs: BlobStore;
  /** The suite is checked here first (datasets, sizes, model) in a worker process, as for a local run. */
  forkWorker: WorkerForker;
  backend: BackendChoice;
  jobs: EnqueueOptions;
  pollMs?: number;
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

/**
 * What the workers need of one source of a suite (see planSources: a single-source suite has one, a suite with
 * `sources` one per source plus the view of its scratch trials), stored as blobs: the model its transfer trials start
 * from, or what makes it.
 */
interface SourceBlobs {
  plan: SourcePlan;
  /** The source model, once known (made already, or pretrained by a worker during the run). */
  base: Base | null;
  /** When the source model is still to be pretrained: its cache key and the source task's blob. */
  pretrain: { cacheKey: string; sourceHash: string } | null;
  /** The record of a source model found already made (in the database or this machine's cache). */
  reused: PretrainRecord | null;
}

/** What the workers need of a suite: the target task, and per source its model or what makes it. */
interface SuiteBlobs {
  taskHash: string;
  sources: SourceBlobs[];
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

/**
 * The trials of a distributed suite (`run --distributed`), trained by `transfer-bench worker` processes through the
 * queue: what they need is stored as blobs, once; each source model is pretrained once, by one worker, as a job of its
 * own: the trials that start from it are enqueued when it is in the database, the others (scratch, other sources)
 * right away, so no worker waits idle on a lock. The workers write each result; this follows them (the trials table,
 * failed jobs, live progress notifications) with the same events as a local run, and hands the trial of a worker that
 * went silent to another. Halting stops the following; `end` cancels the run's jobs not finished (unless done).
 */
export class QueueExecutor implements TrialExecutor {
  readonly endRetries = { retries: 30, delayMs: 2000 };
  private blobs: SuiteBlobs | null = null;
  private backendInfo: BackendInfo | null = null;
  private readonly reported = new Set<number>();
  private readonly started = new Set<number>();
  /** Per running trial: the lease last seen (its token and heartbeat), and when this process saw it change. */
  private readonly leases = new Map<number, { token: string; heartbeatAt: number | null; seenAt: number }>();
  /** Per source still to be pretrained: its trials that wait for the model. */
  private readonly waiting = new Map<SourceBlobs, TrialRecord[]>();
  private listener: { close(): Promise<void> } | null = null;
  private lastProblem = '';

  constructor(private readonly options: QueueExecutorOptions) {}

  /** Checks the suite in a worker process here, as a local run does, then stores what the workers need as blobs. */
  async prepare(suite: LoadedSuite): Promise<{ backend: BackendInfo; notices: string[]; sources: SourcePlan[] }> {
    const worker = await LiveWorker.start(this.options.forkWorker, this.options.backend);
    let notices: string[];
    try {
      const { spec, baseDir } = suite;
      const base = spec.pretrainedModel
        ? { path: engineModelPath(spec.pretrainedModel.path, baseDir), cutLayer: spec.pretrainedModel.cutLayer }
        : null;
      notices = (await worker.check({ spec, baseDir, base }, suite.origin)).notices;
      this.backendInfo = worker.backend;
    } finally {
      worker.kill();
    }
    this.blobs = await this.storeSuiteBlobs(suite, this.backendInfo.name);
    return { backend: this.backendInfo, notices, sources: this.blobs.sources.map((s) => s.plan) };
  }

  cancelEarlierJobs(suiteId: number): Promise<number> {
    return this.options.queue.cancelSuite(suiteId);
  }

  /**
   * Reads the suite's data here (where its files are) and stores what the workers need as blobs, once. Source models
   * are keyed for `backend`, the one this run's workers were asked for as checked here.
   */
  private async storeSuiteBlobs(suite: LoadedSuite, backend: BackendName): Promise<SuiteBlobs> {
    const { spec, baseDir } = suite;
    const target = await loadTask(spec.target.dataset, spec.target.testPerClass, { baseDir });
    const { hash: taskHash } = await this.options.blobs.put(
      encodeTask({ pool: target.pool, test: target.test, standardise: target.standardise }),
    );
    const sources: SourceBlobs[] = [];
    for (const plan of planSources(suite, backend)) sources.push(await this.storeSourceBlobs(plan, baseDir));
    return { taskHash, sources };
  }

  private async storeSourceBlobs(plan: SourcePlan, baseDir: string): Promise<SourceBlobs> {
    const { blobs, store } = this.options;
    const { spec, cacheKey } = plan;
    const none = { plan, base: null, pretrain: null, reused: null };
    if (spec.pretrainedModel) {
      const path = engineModelPath(spec.pretrainedModel.path, baseDir);
      return { ...none, base: { hash: await putModel(blobs, path), cutLayer: spec.pretrainedModel.cutLayer } };
    }
    if (!cacheKey || !spec.pretrain) return none;
    const cutLayer = featuresLayer(spec.architecture);
    const known = await findPretrained(store, cacheKey);
    if (known) {
      const record = JSON.parse(known.recordJson) as PretrainRecord;
      return { ...none, base: { hash: known.blobHash, cutLayer }, reused: { ...record, reused: true } };
    }
    const local = readCachedPretrain(cacheKey);
    if (local) {
      const hash = await putModel(blobs, pretrainDir(cacheKey), [PRETRAIN_META]);
      await recordPretrained(store, cacheKey, hash, JSON.stringify(local));
      return { ...none, base: { hash, cutLayer }, reused: { ...local, reused: true } };
    }
    const source = await loadSourceTask(spec, baseDir);
    const { hash: sourceHash } = await blobs.put(
      encodeTask({ pool: source.pool, test: source.test, standardise: source.standardise }),
    );
    return { ...none, pretrain: { cacheKey, sourceHash } };
  }

  private get suiteBlobs(): SuiteBlobs {
    if (!this.blobs) throw new Error('QueueExecutor: prepare() first');
    return this.blobs;
  }

  private problem(run: RunContext, message: string): void {
    if (message !== this.lastProblem) run.notice(message);
    this.lastProblem = message;
  }

  /**
   * Starts following the workers' progress, records the source models already made and enqueues a pretraining job
   * for each one still to make (the trials that start from it wait for it: see runRound and poll).
   */
  async pretrain(run: RunContext): Promise<void> {
    const { queue, jobs, store } = this.options;
    const { suiteId } = run;
    for (const t of await store.listTrials(suiteId)) {
      if ((FINISHED_TRIAL_STATUSES as readonly string[]).includes(t.status)) this.reported.add(t.id);
    }
    this.listener = listenProgress(this.options.connectionString, suiteId, (event) => this.onProgress(run, event));
    for (const source of this.suiteBlobs.sources) {
      const named = source.plan.source === undefined ? {} : { source: source.plan.source };
      if (source.reused) {
        await run.recordPretrain(source.plan, source.reused);
        run.emit({
          type: 'pretrain-finished',
          suiteId,
          ...named,
          reused: true,
          wallSeconds: source.reused.wallSeconds,
        });
      }
      if (source.pretrain) {
        const job = { kind: 'pretrain', suiteId, ...source.pretrain, runToken: run.owner.token, ...named } as const;
        await queue.enqueue([job], jobs);
        run.emit({
          type: 'pretrain-started',
          suiteId,
          ...named,
          cacheKey: source.pretrain.cacheKey,
          epochs: source.plan.spec.pretrain?.epochs ?? 0,
        });
        this.waiting.set(source, []);
      }
    }
  }

  /** Enqueues the trials (those whose source model is still being made wait for it), then follows them to the end. */
  async runRound(run: RunContext, trials: TrialRecord[]): Promise<void> {
    const now: TrialRecord[] = [];
    for (const trial of trials) {
      const waits = this.needsBase(run, trial) ? this.waiting.get(this.sourceOf(run, trial)) : undefined;
      if (waits) waits.push(trial);
      else now.push(trial);
    }
    await this.options.queue.enqueue(
      now.map((t) => this.jobFor(run, t)),
      this.options.jobs,
    );
    while (!run.stopping) {
      try {
        const outcome = await this.poll(run);
        this.lastProblem = '';
        if (outcome === 'complete') return;
        if (outcome !== null) throw new RoundFailure(outcome.error);
      } catch (problem) {
        if (problem instanceof RoundFailure) throw problem;
        this.problem(run, `cannot read the suite's progress (${errorMessage(problem)}); trying again`);
        // no worker can beat while the database is away: every trial's silence counts from when it is back
        this.leases.clear();
      }
      await sleep(this.options.pollMs ?? 1000);
    }
  }

  /** Nothing trains here: the following loop sees the run stopping. */
  halt(): void {}

  /** Jobs of this run not finished are cancelled, unless the suite is done. */
  async end(run: RunContext, status: SuiteStatus): Promise<void> {
    if (status !== 'done') await this.options.queue.cancelSuite(run.suiteId, { runToken: run.owner.token });
  }

  async close(): Promise<void> {
    await this.listener?.close();
    this.listener = null;
  }

  private trialJob(run: RunContext, trial: TrialRecord, base: Base | null): TrialJobData {
    const { suiteId, owner } = run;
    return {
      kind: 'trial',
      suiteId,
      trialId: trial.id,
      taskHash: this.suiteBlobs.taskHash,
      base,
      runToken: owner.token,
    };
  }

  /** The source a trial starts from (in a suite with `sources`, scratch trials have the view without any). */
  private sourceOf(run: RunContext, trial: TrialRecord): SourceBlobs {
    const name = hasNamedSources(run.suite.spec) ? trial.source : undefined;
    const found = this.suiteBlobs.sources.find((s) => s.plan.source === name);
    if (!found) throw new Error(`trial ${trial.id} names source "${name}", which suite ${run.suiteId} does not have`);
    return found;
  }

  private needsBase(run: RunContext, trial: TrialRecord): boolean {
    const source = this.sourceOf(run, trial);
    return source.base !== null || source.pretrain !== null
      ? needsBaseModel({ spec: source.plan.spec, key: trial })
      : false;
  }

  /** A trial's job, with its source's model when it starts from one (known by now). */
  private jobFor(run: RunContext, trial: TrialRecord): TrialJobData {
    return this.trialJob(run, trial, this.needsBase(run, trial) ? this.sourceOf(run, trial).base : null);
  }

  /** Live events from the workers, for trials not finished yet. */
  private onProgress(run: RunContext, event: RunEvent): void {
    if (event.type === 'trial-started' || event.type === 'trial-epoch') {
      if (this.reported.has(event.trialId)) return;
      if (event.type === 'trial-started') this.started.add(event.trialId);
    }
    if (event.type === 'pretrain-epoch' || event.type === 'trial-started' || event.type === 'trial-epoch') {
      run.emit(event);
    }
  }

  /** One look at the database: reports what changed; 'complete' when every trial finished, an error to stop on. */
  private async poll(run: RunContext): Promise<'complete' | { error: string } | null> {
    const { store, queue, jobs } = this.options;
    const { suiteId } = run;
    for (const [source, waiting] of this.waiting) {
      const made = await findPretrained(store, source.pretrain!.cacheKey);
      if (!made) continue;
      const record = JSON.parse(made.recordJson) as PretrainRecord;
      source.base = { hash: made.blobHash, cutLayer: featuresLayer(source.plan.spec.architecture) };
      await run.recordPretrain(source.plan, record);
      await queue.enqueue(
        waiting.map((t) => this.jobFor(run, t)),
        jobs,
      );
      this.waiting.delete(source);
      const named = source.plan.source === undefined ? {} : { source: source.plan.source };
      run.emit({ type: 'pretrain-finished', suiteId, ...named, reused: false, wallSeconds: record.wallSeconds });
    }
    await this.handBackSilentTrials(run);
    for (const job of await queue.failedJobs(suiteId)) {
      const reason = failureMessage(job.output);
      if (job.data.kind === 'pretrain') return { error: `pretraining failed on the workers: ${reason}` };
      await this.failTrial(
        run,
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
        run.emit({ type: 'trial-finished', suiteId, trial });
      } else if (trial.status === 'running' && !this.started.has(trial.id)) {
        this.started.add(trial.id);
        const maxEpochs = run.suite.spec.approaches[trial.approach]?.epochs ?? 0;
        const key = { approach: trial.approach, trainSize: trial.trainSize, seed: trial.seed };
        run.emit({ type: 'trial-started', suiteId, trialId: trial.id, key, maxEpochs });
      }
    }
    return open === 0 ? 'complete' : null;
  }

  /**
   * Gives the trials of workers that went silent (SIGKILLed, machine gone) back to the queue: a trial whose heartbeat
   * stood still for trialSilentAfterMs is pending again, its dead worker's job cancelled and a new job enqueued, and
   * the user is told. Within about a minute instead of the job's expiry (--trial-timeout).
   */
  private async handBackSilentTrials(run: RunContext): Promise<void> {
    const { store, queue, jobs } = this.options;
    const silentAfter = this.options.trialSilentAfterMs ?? TRIAL_SILENT_AFTER_MS;
    const now = Date.now();
    const running = await store.listTrialLeases(run.suiteId);
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
        run,
        `trial ${lease.id}: worker ${who} silent for ${Math.round(silentFor / 1000)} s; handing it to another worker`,
      );
      await queue.cancelJobs([lease.token.slice('job:'.length)]);
      const trial = await store.getTrial(lease.id);
      if (trial) await queue.enqueue([this.jobFor(run, trial)], jobs);
      this.started.delete(lease.id);
    }
    for (const id of this.leases.keys()) if (!seen.has(id)) this.leases.delete(id);
  }

  /** A trial whose job ran out of attempts (its workers kept dying) is stored as failed, with the reason. */
  private async failTrial(run: RunContext, jobId: string, trialId: number, reason: string): Promise<void> {
    const { store } = this.options;
    const token = jobToken(jobId);
    const claimed = await claimTrial(
      store,
      trialId,
      token,
      { host: hostname(), name: 'the run following the suite' },
      { countAttempt: false, runToken: run.owner.token },
    );
    if (claimed === null) return;
    if (!this.backendInfo) throw new Error('QueueExecutor: prepare() first');
    await store.finishTrial(trialId, token, failedResult(reason, this.backendInfo));
  }
}

/** What stops a round for good (pretraining failed on the workers), as opposed to the database away for a moment. */
class RoundFailure extends Error {}
