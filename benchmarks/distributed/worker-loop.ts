import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import pRetry from 'p-retry';
import type { BackendChoice, PretrainRecord, TrialKey, TrialResult } from '../domain.js';
import { errorMessage } from '../errors.js';
import { LiveWorker } from '../runner/live-worker.js';
import type { WorkerForker } from '../runner/worker-process.js';
import { TrialNotRunningError, type Store } from '../store/store.js';
import { failedResult } from '../train/failed-result.js';
import type { BaseModelRef, TrialJob } from '../train/jobs.js';
import { hasNamedSources, specForSource } from '../spec/sources.js';
import { blobCacheDir, cachedBlobFile, cachedBlobFolder } from './blob-cache.js';
import type { BlobStore } from './blob-store.js';
import { packFiles } from './folder-pack.js';
import { notifyProgress } from './progress-channel.js';
import {
  claimTrial,
  findPretrained,
  jobToken,
  recordPretrained,
  recordWorker,
  type WorkerName,
} from './trial-claims.js';
import type { PretrainJobData, QueuedJob, TrialJobData, TrialQueue } from './trial-queue.js';

export interface DistributedWorkerOptions {
  store: Store;
  /** The same database as the store, for progress notifications (blobs and trial claims go through the store). */
  pool: pg.Pool;
  queue: TrialQueue;
  blobs: BlobStore;
  forkWorker: WorkerForker;
  backend: BackendChoice;
  /** Trials this machine runs at once, one worker process each. */
  slots: number;
  /** How often an idle slot asks the queue for work. */
  pollMs?: number;
  /** How often a running trial's heartbeat is refreshed (default TRIAL_HEARTBEAT_MS). */
  trialHeartbeatMs?: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** How often a worker refreshes the heartbeat of a trial it trains (see trialHeartbeat in the store). */
export const TRIAL_HEARTBEAT_MS = 2_000;

/** Errors of a database that is away (connection refused or cut, server shutting down or starting), not of the request. */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
]);

export function isOutage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (OUTAGE_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    errorMessage(error),
  );
}

/** Model files a pretraining job writes (run-pretrain.ts) and a worker packs as the source model's blob. */
const PRETRAINED_FILES = ['model.json', 'weights.bin', 'pretrain.json'];

/**
 * `transfer-bench worker`: takes jobs of distributed suites from the queue and runs them with the same worker
 * processes and training code as a local run (runner/live-worker.ts → trial-worker.ts → train/), reading the task
 * and the source model from blobs cached on this machine, and writes each result through the store (one transaction,
 * refused if another worker took the trial meanwhile). The worker processes start first: a backend that cannot
 * load stops the command before it takes any job.
 */
export class DistributedWorker {
  private stopping = false;
  private forced = false;
  private readonly processes: (LiveWorker | null)[];
  private readonly host = hostname();
  private loops: Promise<void>[] = [];
  private lastProblem = '';

  /** `first`: a worker process already started (LiveWorker.start), which proved that the backend loads. */
  constructor(
    private readonly options: DistributedWorkerOptions,
    first: LiveWorker,
  ) {
    this.processes = Array.from({ length: options.slots }, (_, i) => (i === 0 ? first : null));
  }

  get backendName(): string {
    return this.processes[0]?.backend.name ?? this.options.backend;
  }

  /** Runs until `stop`; resolves when every slot has ended. */
  run(): Promise<void> {
    this.loops = this.processes.map((_, slot) => this.loop(slot));
    return Promise.all(this.loops).then(() => {
      for (const process of this.processes) process?.kill();
    });
  }

  /**
   * Stops taking jobs. Without `force` the jobs in flight finish and are written; with it their worker processes
   * are killed and their trials go back to the queue for another worker (no attempt lost, nothing written).
   */
  stop(force = false): void {
    this.stopping = true;
    if (force && !this.forced) {
      this.forced = true;
      for (const process of this.processes) process?.kill();
    }
  }

  private problem(message: string): void {
    if (message !== this.lastProblem) this.options.log(message);
    this.lastProblem = message;
  }

  private async loop(slot: number): Promise<void> {
    const { queue } = this.options;
    while (!this.stopping) {
      let job: QueuedJob | null;
      try {
        job = await queue.take();
        this.lastProblem = '';
      } catch (error) {
        this.problem(`cannot reach the queue (${errorMessage(error)}); trying again`);
        await sleep(2000);
        continue;
      }
      if (!job) {
        await sleep(this.options.pollMs ?? 1000);
        continue;
      }
      try {
        if (job.data.kind === 'trial') await this.runTrial(slot, job, job.data);
        else await this.runPretrain(slot, job, job.data);
      } catch (error) {
        // Not the trial's own failure (that is stored as a failed trial): the job could not be handled here.
        this.options.log(
          `job ${job.id} (${job.data.kind} of suite ${job.data.suiteId}) failed: ${errorMessage(error)}`,
        );
        await this.persist('report the failed job', () => queue.fail(job.id, errorMessage(error))).catch(() => {});
      }
    }
  }

  private async process(slot: number): Promise<LiveWorker> {
    const current = this.processes[slot];
    if (current?.alive) return current;
    const fresh = await LiveWorker.start(this.options.forkWorker, this.options.backend);
    this.processes[slot] = fresh;
    if (this.forced) fresh.kill();
    return fresh;
  }

  private workerName(slot: number): WorkerName {
    return { host: this.host, name: `pid ${process.pid} slot ${slot + 1}` };
  }

  /**
   * Runs a database call until it succeeds: while PostgreSQL is away (restarted, unreachable, full) it waits and tries
   * again, for as long as it takes, so that a finished trial's result is never thrown away and a storage outage never
   * becomes a failed trial. What ends the waiting: the store refusing the write (TrialNotRunningError: the trial's
   * lease is gone, handed to another worker once the database was back), `outageOnly` and an error that is not an
   * outage (e.g. a blob that is not there), or a forced stop.
   */
  private persist<T>(what: string, call: () => Promise<T>, options: { outageOnly?: boolean } = {}): Promise<T> {
    const retries = (error: unknown) =>
      !(error instanceof TrialNotRunningError) && !this.forced && (!options.outageOnly || isOutage(error));
    return pRetry(call, {
      forever: true,
      minTimeout: 500,
      maxTimeout: 10_000,
      factor: 2,
      randomize: false,
      unref: true,
      shouldRetry: retries,
      // called after a refusal too (p-retry 6): only a retry is told
      onFailedAttempt: (error) => {
        if (retries(error)) this.problem(`cannot ${what} (${errorMessage(error)}); trying again`);
      },
    });
  }

  /**
   * Keeps the trial's lease while it trains: its heartbeat every TRIAL_HEARTBEAT_MS, which tells the run following
   * the suite that this worker lives (it hands the trial of a silent worker to another). When the lease is gone (the
   * trial was handed away, cancelled, or taken over by a resume) `onLost` stops the training here. A heartbeat that
   * cannot be written (the database is away) is skipped.
   */
  private keepLease(trialId: number, token: string, onLost: () => void): () => void {
    const beat = async () => {
      try {
        if (!(await this.options.store.trialHeartbeat(trialId, token))) onLost();
      } catch {
        // the database is away for a moment: the next beat may get through
      }
    };
    void beat();
    const timer = setInterval(() => void beat(), this.options.trialHeartbeatMs ?? TRIAL_HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Watches, every trial heartbeat, that the run `runToken` still holds the suite (a pretraining job has no trial
   * lease of its own); `onLost` once it does not (taken over by a resume, or cancelled). A look that cannot be made
   * (the database is away) is skipped.
   */
  private watchRun(suiteId: number, runToken: string, onLost: () => void): () => void {
    let done = false;
    const look = async () => {
      try {
        const suite = await this.options.store.getSuite(suiteId);
        if (!done && (!suite || suite.status !== 'running' || suite.owner?.token !== runToken)) {
          done = true;
          onLost();
        }
      } catch {
        // the database is away for a moment: the next look may get through
      }
    };
    const timer = setInterval(() => void look(), this.options.trialHeartbeatMs ?? TRIAL_HEARTBEAT_MS);
    timer.unref();
    return () => {
      done = true;
      clearInterval(timer);
    };
  }

  private async runTrial(slot: number, job: QueuedJob, data: TrialJobData): Promise<void> {
    const { store, pool, queue, blobs } = this.options;
    const suite = await this.persist('read the suite', () => store.getSuite(data.suiteId));
    const trial = suite && (await this.persist('read the trial', () => store.getTrial(data.trialId)));
    if (!suite || !trial || suite.status !== 'running') {
      await this.persist('complete the job', () => queue.complete(job.id));
      return;
    }
    const token = jobToken(job.id);
    const attempt = await this.persist('take the trial', () =>
      claimTrial(store, data.trialId, token, this.workerName(slot), { runToken: data.runToken }),
    );
    if (attempt === null) {
      // finished already (a retried job whose first worker wrote it after all), or its suite was cancelled
      await this.persist('complete the job', () => queue.complete(job.id));
      return;
    }
    const key: TrialKey = {
      approach: trial.approach,
      ...(trial.source === undefined ? {} : { source: trial.source }),
      trainSize: trial.trainSize,
      seed: trial.seed,
    };
    // the suite as the trial's source sees it, as a local run gives it (runner/suite-runner.ts)
    const spec = specForSource(suite.spec, hasNamedSources(suite.spec) ? trial.source : undefined);
    const describe = `trial ${trial.id} of suite ${suite.id} (${key.approach}, ${key.trainSize} examples, seed ${key.seed})`;
    this.options.log(`${describe}: started${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    let result: TrialResult;
    let lost = false;
    let training = true;
    let worker: LiveWorker | null = null;
    // the lease from the claim on: starting a worker process (loading the backend) can take a while on a busy machine
    const endLease = this.keepLease(trial.id, token, () => {
      // once the result is in hand, the write finds out whether it is still wanted
      if (lost || !training) return;
      lost = true;
      this.options.log(
        `${describe}: no longer this worker's (handed to another worker, or cancelled); stopping it here`,
      );
      worker?.kill();
    });
    try {
      worker = await this.process(slot);
    } catch (error) {
      endLease();
      throw error;
    }
    if (lost) {
      endLease();
      await this.persist('complete the job', () => queue.complete(job.id));
      return;
    }
    try {
      const fetch = (what: string, get: () => Promise<string>) =>
        this.persist(`fetch ${what} of ${describe}`, get, { outageOnly: true });
      const taskFile = await fetch('the task', () => cachedBlobFile(blobs, data.taskHash));
      const base: BaseModelRef | null = data.base
        ? {
            path: join(await fetch('the source model', () => cachedBlobFolder(blobs, data.base!.hash)), 'model.json'),
            cutLayer: data.base.cutLayer,
          }
        : null;
      const trialJob: TrialJob = { trialId: trial.id, spec, baseDir: suite.baseDir, key, base, taskFile };
      const { suiteId, trialId } = data;
      result = await worker.runTrial(trialJob, {
        onStart: (maxEpochs) => void notifyProgress(pool, { type: 'trial-started', suiteId, trialId, key, maxEpochs }),
        onEpoch: (record, maxEpochs) =>
          void notifyProgress(pool, { type: 'trial-epoch', suiteId, trialId, key, maxEpochs, record }),
      });
    } catch (failure) {
      training = false;
      if (this.forced) {
        endLease();
        // stopping: the trial goes back to the queue for another worker, nothing is written for it
        await store.handBackTrial(data.trialId, token).catch(() => {});
        await queue.release(job).catch(() => {});
        this.options.log(`${describe}: given back to the queue`);
        return;
      }
      if (lost) {
        endLease();
        await this.persist('complete the job', () => queue.complete(job.id)).catch(() => {});
        return;
      }
      result = failedResult(errorMessage(failure), worker.backend);
    }
    training = false;
    // the lease is kept until the result is written: its heartbeat goes on while the write waits out an outage
    try {
      await this.writeResult(describe, trial.id, token, slot, data.suiteId, result);
    } finally {
      endLease();
    }
    await this.persist('complete the job', () => queue.complete(job.id));
  }

  /** Writes a finished trial, waiting out a database outage (see persist); a refusal by the store is logged. */
  private async writeResult(
    describe: string,
    trialId: number,
    token: string,
    slot: number,
    suiteId: number,
    result: TrialResult,
  ): Promise<void> {
    const { store, pool } = this.options;
    try {
      await this.persist(`store the result of ${describe}`, () => store.finishTrial(trialId, token, result));
      await this.persist('record the worker', () => recordWorker(store, trialId, this.workerName(slot)));
      // for whoever shows the suite live (serve, the app on the same database); the coordinator reads the table
      const finished = await store.getTrial(trialId).catch(() => undefined);
      if (finished) void notifyProgress(pool, { type: 'trial-finished', suiteId, trial: finished });
      this.options.log(
        `${describe}: ${result.status}${result.testAccuracy !== null ? `, test accuracy ${(result.testAccuracy * 100).toFixed(1)}%` : ''}${result.error ? `: ${result.error}` : ''}`,
      );
    } catch (error) {
      if (!(error instanceof TrialNotRunningError)) throw error;
      this.options.log(
        `${describe}: not written, the trial was cancelled, handed to another worker, or another attempt of it finished first`,
      );
    }
  }

  private async runPretrain(slot: number, job: QueuedJob, data: PretrainJobData): Promise<void> {
    const { store, pool, queue, blobs } = this.options;
    const suite = await this.persist('read the suite', () => store.getSuite(data.suiteId));
    // a job of a run that no longer holds the suite (killed, or taken over): that run's pretraining is not wanted
    if (!suite || suite.status !== 'running' || suite.owner?.token !== data.runToken) {
      await this.persist('complete the job', () => queue.complete(job.id));
      return;
    }
    const existing = await this.persist('look up the source model', () => findPretrained(store, data.cacheKey));
    if (existing) {
      await this.persist('complete the job', () => queue.complete(job.id));
      return;
    }
    const named = data.source === undefined ? {} : { source: data.source };
    const model = data.source === undefined ? 'the source model' : `the model of source "${data.source}"`;
    this.options.log(`suite ${suite.id}: pretraining ${model} (${data.cacheKey})`);
    const worker = await this.process(slot);
    const outDir = join(blobCacheDir(), `pretrain-${process.pid}-${randomUUID()}`);
    mkdirSync(blobCacheDir(), { recursive: true });
    let lost = false;
    // as a trial's lease does: once the run that enqueued it no longer holds the suite, the pretraining stops here
    const endWatch = this.watchRun(data.suiteId, data.runToken, () => {
      lost = true;
      this.options.log(
        `suite ${suite.id}: pretraining of ${model} no longer wanted (its run was taken over or cancelled); stopping it here`,
      );
      worker.kill();
    });
    try {
      const taskFile = await cachedBlobFile(blobs, data.sourceHash);
      let record: PretrainRecord;
      try {
        record = await worker.pretrain(
          {
            spec: specForSource(suite.spec, data.source),
            baseDir: suite.baseDir,
            cacheKey: data.cacheKey,
            outDir,
            taskFile,
          },
          (epoch) => void notifyProgress(pool, { type: 'pretrain-epoch', suiteId: suite.id, ...named, ...epoch }),
        );
      } catch (error) {
        if (this.forced) {
          await queue.release(job).catch(() => {});
          this.options.log(`suite ${suite.id}: pretraining given back to the queue`);
          return;
        }
        if (lost) {
          await this.persist('complete the job', () => queue.complete(job.id)).catch(() => {});
          return;
        }
        throw error;
      } finally {
        endWatch();
      }
      const { hash } = await this.persist('store the source model', () =>
        blobs.put(packFiles(outDir, PRETRAINED_FILES)),
      );
      await this.persist('record the source model', () =>
        recordPretrained(store, data.cacheKey, hash, JSON.stringify(record)),
      );
      // the run following the suite records it in the suite (with its other sources'), once it sees the model
      void notifyProgress(pool, {
        type: 'pretrain-finished',
        suiteId: suite.id,
        ...named,
        reused: false,
        wallSeconds: record.wallSeconds,
      });
      this.options.log(`suite ${suite.id}: ${model} pretrained in ${(record.wallSeconds ?? 0).toFixed(1)} s`);
      await this.persist('complete the job', () => queue.complete(job.id));
    } finally {
      endWatch();
      rmSync(outDir, { recursive: true, force: true });
    }
  }
}
