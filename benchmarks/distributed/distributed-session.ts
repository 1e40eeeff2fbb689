import type pg from 'pg';
import type { BackendChoice, RunEventListener, SuiteRecord, TrialRecord } from '../domain.js';
import { UserError } from '../errors.js';
import { PgStore } from '../store/pg-store.js';
import { INTERRUPTED, TRIAL_INTERRUPTED } from '../store/store.js';
import { ownerLooksAlive } from '../runner/run-owner.js';
import { SuiteRun, type RunnerOptions } from '../runner/suite-runner.js';
import type { WorkerForker } from '../runner/worker-process.js';
import type { SuiteSource } from '../contract.js';
import { loadSuite } from '../spec/load-suite.js';
import { withDesign } from '../runner/adaptive-rounds.js';
import type { AdaptiveDesignSpec } from '../spec/suite-schema.js';
import type { Store } from '../store/store.js';
import { isPostgresUrl } from '../store/pg-connect.js';
import { BlobStore } from './blob-store.js';
import { QueueExecutor, type QueueExecutorOptions } from './queue-executor.js';
import { TrialQueue, type EnqueueOptions } from './trial-queue.js';

/** Distributed runs work on a PostgreSQL database only: the one thing every machine reaches. */
export function requirePostgres(location: string, what: string): void {
  if (!isPostgresUrl(location)) {
    throw new UserError(
      `${what} needs a shared PostgreSQL database: give --db postgres://user@host/database (or TRANSFER_BENCH_DB); ${location} is an SQLite file, which other machines cannot reach`,
    );
  }
}

/** What a process on the shared database uses besides the store: a pool for blobs and claims, and the queue. */
export interface SharedDatabase {
  store: Store;
  pool: pg.Pool;
  queue: TrialQueue;
  blobs: BlobStore;
  connectionString: string;
  close(): Promise<void>;
}

/**
 * Connects to the shared database's queue beside an opened PostgreSQL store (which checked the schema version);
 * blobs and trial claims go through the store's own pool. `close` closes the queue; the caller closes the store.
 */
export async function connectShared(
  store: Store,
  connectionString: string,
  onProblem: (message: string) => void,
): Promise<SharedDatabase> {
  if (!(store instanceof PgStore)) throw new Error('distributed runs need the PostgreSQL store');
  const queue = await TrialQueue.open(connectionString, {}, (message) => onProblem(`queue: ${message}`));
  return {
    store,
    pool: store.pool,
    queue,
    blobs: new BlobStore(store),
    connectionString,
    async close() {
      await queue.close().catch(() => {});
    },
  };
}

/**
 * The distributed counterpart of the engine service's run methods, for the CLI's progress display: start or resume
 * a suite on the workers, subscribe to its events, read it, cancel it.
 */
export class DistributedSession {
  private readonly listeners = new Set<RunEventListener>();
  private readonly notices = new Set<(message: string) => void>();
  private readonly runs = new Map<number, SuiteRun>();

  constructor(
    private readonly shared: SharedDatabase,
    private readonly settings: { forkWorker: WorkerForker; jobs: EnqueueOptions; pollMs?: number },
  ) {}

  /** A suite run (runner/suite-runner.ts) whose trials go to the queue's workers. */
  private options(backend: BackendChoice): RunnerOptions {
    const { store, queue, blobs, connectionString } = this.shared;
    const { forkWorker, jobs, pollMs } = this.settings;
    const queued: QueueExecutorOptions = {
      store,
      connectionString,
      queue,
      blobs,
      forkWorker,
      backend,
      jobs,
      ...(pollMs ? { pollMs } : {}),
    };
    return {
      store,
      forkWorker,
      backend,
      executor: new QueueExecutor(queued),
      onEvent: (event) => this.listeners.forEach((listener) => listener(event)),
      onNotice: (message) => this.notices.forEach((notice) => notice(message)),
    };
  }

  private track(run: SuiteRun): { suiteId: number } {
    this.runs.set(run.suiteId, run);
    void run.finished.finally(() => this.runs.delete(run.suiteId)).catch(() => {});
    return { suiteId: run.suiteId };
  }

  async startSuite(request: {
    source: SuiteSource;
    backend: BackendChoice;
    design?: AdaptiveDesignSpec;
  }): Promise<{ suiteId: number }> {
    const loaded = loadSuite(request.source);
    const suite = request.design ? { ...loaded, spec: withDesign(loaded.spec, request.design) } : loaded;
    return this.track(await SuiteRun.start(this.options(request.backend), suite));
  }

  async resumeSuite(request: { suiteId: number; force: boolean; retryFailed: boolean }): Promise<{ suiteId: number }> {
    const stored = await this.shared.store.requireSuite(request.suiteId);
    const run = await SuiteRun.resume(this.options(stored.backendChoice), request.suiteId, {
      force: request.force,
      retryFailed: request.retryFailed,
      onTakeOver: (message) => this.notices.forEach((notice) => notice(message)),
    });
    return this.track(run);
  }

  async getSuite({ suiteId }: { suiteId: number }): Promise<{ suite: SuiteRecord; trials: TrialRecord[] }> {
    const { store } = this.shared;
    const { owner, ...suite } = await store.requireSuite(suiteId);
    const trials = await store.listTrials(suiteId);
    if (suite.status !== 'running' || (owner && ownerLooksAlive(owner))) return { suite, trials };
    return {
      suite: { ...suite, status: 'cancelled', error: INTERRUPTED },
      trials: trials.map((t) => (t.status === 'running' ? { ...t, status: 'cancelled', error: TRIAL_INTERRUPTED } : t)),
    };
  }

  async cancelSuite({ suiteId }: { suiteId: number }): Promise<{ cancelled: boolean }> {
    const run = this.runs.get(suiteId);
    if (!run) return { cancelled: false };
    run.cancel();
    await run.finished;
    return { cancelled: true };
  }

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onNotice(listener: (message: string) => void): () => void {
    this.notices.add(listener);
    return () => this.notices.delete(listener);
  }

  async close(): Promise<void> {
    for (const run of this.runs.values()) run.cancel();
    await Promise.allSettled([...this.runs.values()].map((run) => run.finished));
  }
}
