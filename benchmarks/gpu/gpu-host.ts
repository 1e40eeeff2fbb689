import '@tensorflow/tfjs-backend-cpu';
import type { io } from '@tensorflow/tfjs-core';
import type { BackendInfo } from '../backend/select-backend.js';
import { errorMessage } from '../errors.js';
import { readModelArtifacts, writeModelArtifacts } from '../models/model-io.js';
import type { FromWorker, ToWorker } from '../runner/worker-protocol.js';
import type { PretrainJob, TrialJob } from '../train/jobs.js';
import type { TrialTask } from '../train/train-trial.js';
import { checkSuite } from '../train/check-suite.js';
import { failedResult } from '../train/failed-result.js';
import { pretrainRecord, pretrainTask, storePretrained } from '../train/run-pretrain.js';
import { needsBaseModel } from '../train/run-trial.js';
import { cachedTask } from '../train/task-cache.js';
import { UserError } from '../errors.js';
import { isBrowserBackend, type BrowserBackendName } from './browser-backends.js';
import { isOutOfMemory, outOfMemoryError } from './gpu-failure.js';
import type { PageChannel, PageOpener } from './page-channel.js';
import type { FromPage, ToPage } from './page-protocol.js';

/** The page stopped working during a job: crashed, closed, or lost its GPU. */
class PageFailure extends Error {
  constructor(
    message: string,
    readonly outOfMemory: boolean,
  ) {
    super(message);
  }
}

/**
 * The Node side of a GPU worker. It takes the same jobs as a Node worker process (worker-protocol.ts) and answers
 * with the same messages, but trains in a browser page: it reads the data and models here (files, SQLite and the
 * cache stay in Node), sends each job's examples to the page as typed arrays, and stores what the page trained.
 * A page that crashes or loses its GPU fails the job in flight with the reason; the next job opens a new page.
 */
export class GpuHost {
  private page: PageChannel | null = null;
  /** Tasks the current page holds already (sent with their first trial). */
  private pageTasks = new Set<string>();
  private backend: BrowserBackendName | null = null;
  private info: BackendInfo | null = null;
  private current: { onMessage(m: FromPage): void; onFailure(f: PageFailure): void } | null = null;
  /** The largest training-set size that finished here, for out-of-memory advice. */
  private largestDone: number | null = null;

  constructor(
    private readonly openPage: PageOpener,
    private readonly send: (message: FromWorker) => void,
  ) {}

  async handle(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'init':
        return this.init(message.backend);
      case 'check':
        try {
          this.send({ type: 'check-ok', summary: await checkSuite(message.job) });
        } catch (error) {
          this.send({ type: 'check-failed', error: errorMessage(error), userError: error instanceof UserError });
        }
        return;
      case 'trial':
        return this.trial(message.job);
      case 'pretrain':
        return this.pretrain(message.job);
    }
  }

  async close(): Promise<void> {
    const page = this.page;
    this.page = null;
    await page?.close();
  }

  private async init(choice: string): Promise<void> {
    if (!isBrowserBackend(choice)) {
      this.send({ type: 'init-failed', error: `backend "${choice}" does not run in a browser page`, userError: false });
      return;
    }
    this.backend = choice;
    try {
      await this.livePage();
      this.send({ type: 'ready', backend: this.info! });
    } catch (error) {
      this.send({ type: 'init-failed', error: errorMessage(error), userError: error instanceof UserError });
    }
  }

  /** The page, opened and with its backend started if there is none (first job, or after a crash). */
  private async livePage(): Promise<PageChannel> {
    if (this.page) return this.page;
    if (!this.backend) throw new Error('GPU worker used before init');
    const page = await this.openPage();
    page.onMessage((message) => {
      if (page !== this.page) return;
      if (message.type === 'gpu-failed') this.drop(page, new PageFailure(message.reason, message.outOfMemory));
      else this.current?.onMessage(message);
    });
    page.onGone((reason) => this.drop(page, new PageFailure(reason, false)));
    this.page = page;
    this.pageTasks = new Set();
    try {
      const reply = await this.exchange(
        { type: 'init', backend: this.backend, runtime: page.runtime },
        (m) => m.type === 'ready' || m.type === 'init-failed',
      );
      if (reply.type === 'init-failed') throw reply.userError ? new UserError(reply.error) : new Error(reply.error);
      if (reply.type !== 'ready') throw new Error(`unexpected reply ${reply.type}`);
      this.info = reply.backend;
      return page;
    } catch (error) {
      this.drop(page, null);
      throw error;
    }
  }

  /** Forgets a page that failed (and closes it); the job in flight fails with `failure`. */
  private drop(page: PageChannel, failure: PageFailure | null): void {
    if (page !== this.page) return;
    this.page = null;
    void page.close();
    if (failure) this.current?.onFailure(failure);
  }

  /** Posts a job and resolves with its final message; progress goes to `onProgress`. Rejects with a PageFailure. */
  private exchange(
    message: ToPage,
    isFinal: (m: FromPage) => boolean,
    onProgress: (m: FromPage) => void = () => {},
  ): Promise<FromPage> {
    const page = this.page;
    if (!page) return Promise.reject(new PageFailure('the browser page is gone', false));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.current = null;
      };
      this.current = {
        onMessage: (m) => {
          if (!isFinal(m)) return onProgress(m);
          done();
          resolve(m);
        },
        onFailure: (failure) => {
          done();
          reject(failure);
        },
      };
      page.post(message).catch((error: unknown) => {
        if (this.current === null) return;
        done();
        this.drop(page, null);
        reject(new PageFailure(`could not reach the browser page: ${errorMessage(error)}`, false));
      });
    });
  }

  private async trial(job: TrialJob): Promise<void> {
    const { trialId, key, spec } = job;
    const started = performance.now();
    const fail = (error: string): void =>
      this.send({
        type: 'trial-done',
        trialId,
        result: failedResult(
          error,
          this.info ?? { name: this.backend!, device: 'unknown' },
          (performance.now() - started) / 1000,
        ),
        numTensors: 0,
      });
    let base: { path: string; artifacts: io.ModelArtifacts } | null;
    let task: TrialTask;
    const taskKey = JSON.stringify([spec.target.dataset, spec.target.testPerClass, job.baseDir]);
    try {
      base =
        needsBaseModel(job) && job.base ? { path: job.base.path, artifacts: readModelArtifacts(job.base.path) } : null;
      const loaded = await cachedTask(spec.target.dataset, spec.target.testPerClass, job.baseDir);
      task = { pool: loaded.pool, test: loaded.test, standardise: loaded.standardise };
    } catch (error) {
      return fail(errorMessage(error));
    }
    try {
      await this.livePage();
      // the task (pool and test set) crosses once per page; later trials name it
      const sendTask = !this.pageTasks.has(taskKey);
      this.pageTasks.add(taskKey);
      const reply = await this.exchange(
        { type: 'trial', job, taskKey, task: sendTask ? task : null, base },
        (m) => m.type === 'trial-done',
        (m) => this.send(m as FromWorker),
      );
      if (reply.type !== 'trial-done') throw new Error(`unexpected reply ${reply.type}`);
      const { result } = reply;
      if (result.status === 'failed' && result.error !== null && isOutOfMemory(result.error)) {
        result.error = outOfMemoryError(spec, key, result.error, this.largestDone);
      }
      if (result.status === 'done') this.largestDone = Math.max(this.largestDone ?? 0, key.trainSize);
      this.send(reply);
    } catch (error) {
      const reason = errorMessage(error);
      const outOfMemory = (error instanceof PageFailure && error.outOfMemory) || isOutOfMemory(reason);
      fail(
        outOfMemory
          ? outOfMemoryError(spec, key, reason, this.largestDone)
          : `${reason}; the suite goes on in a new page`,
      );
    }
  }

  private async pretrain(job: PretrainJob): Promise<void> {
    try {
      await this.livePage();
      const reply = await this.exchange(
        { type: 'pretrain', spec: job.spec, task: await pretrainTask(job) },
        (m) => m.type === 'pretrain-trained' || m.type === 'pretrain-failed',
        (m) => this.send(m as FromWorker),
      );
      if (reply.type === 'pretrain-failed') return this.send(reply);
      if (reply.type !== 'pretrain-trained') throw new Error(`unexpected reply ${reply.type}`);
      const record = pretrainRecord(job, reply.trained, this.info!);
      await storePretrained(job, record, (dir) => {
        writeModelArtifacts(reply.artifacts, dir);
        // what crossed from the page must be a whole model before it goes into the cache that other suites reuse
        readModelArtifacts(dir);
        return Promise.resolve();
      });
      this.send({ type: 'pretrain-done', record });
    } catch (error) {
      this.send({ type: 'pretrain-failed', error: errorMessage(error), userError: error instanceof UserError });
    }
  }
}
