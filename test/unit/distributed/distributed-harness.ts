/**
 * Distributed runs in one test process, on a real PostgreSQL: the coordinator (SuiteRun with the queue's executor),
 * `transfer-bench worker`
 * loops (DistributedWorker) and local runs (SuiteRun) as the CLI builds them, with fake worker processes
 * (test/unit/runner/fake-worker.ts) in place of training, so that a whole take-over or outage plays out in seconds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueExecutor, type QueueExecutorOptions } from '../../../benchmarks/distributed/queue-executor.js';
import { connectShared, type SharedDatabase } from '../../../benchmarks/distributed/distributed-session.js';
import { cancelQueuedJobs } from '../../../benchmarks/distributed/trial-queue.js';
import { DistributedWorker } from '../../../benchmarks/distributed/worker-loop.js';
import type { RunEvent } from '../../../benchmarks/domain.js';
import { LiveWorker } from '../../../benchmarks/runner/live-worker.js';
import { SuiteRun, type ResumeOptions, type RunnerOptions } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite, type LoadedSuite } from '../../../benchmarks/spec/load-suite.js';
import type { SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { openStore } from '../../../benchmarks/store/open-store.js';
import { PgStore } from '../../../benchmarks/store/pg-store.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';
import { scaled } from '../../support/machine-load.js';
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js';
import { fakeWorkers, type FakeWorkers } from '../runner/fake-worker.js';

const tiny = loadSuite({ kind: 'file', path: TINY_SUITE });
/** Scratch only, with no source task (no pretraining job), two sizes, three seeds: 6 trials. */
export const SCRATCH_SUITE: LoadedSuite = {
  ...tiny,
  spec: { ...withoutPretraining(tiny.spec), seeds: [0, 1, 2], approaches: { scratch: tiny.spec.approaches.scratch! } },
};

function withoutPretraining(spec: SuiteSpec): SuiteSpec {
  const { pretrain: _unused, ...rest } = spec;
  return rest;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function until(what: string, condition: () => boolean | Promise<boolean>, idleMs = 20_000) {
  const end = Date.now() + scaled(idleMs);
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface Coordinator {
  run: SuiteRun;
  events: RunEvent[];
  notices: string[];
}

export interface Worker {
  loop: DistributedWorker;
  fake: FakeWorkers;
  log: string[];
  done: Promise<void>;
}

/** One database with what each process of a distributed run opens on it; `close` closes them all. */
export async function sharedDatabase(server: PostgresServer, name: string) {
  const url = await server.createDatabase(name);
  const opened: SharedDatabase[] = [];
  const workers: Worker[] = [];
  /** A process's own store, pool and queue, as each CLI process opens them. */
  const connect = async (): Promise<SharedDatabase> => {
    const store = await openStore(url);
    const shared = await connectShared(store, url, () => {});
    opened.push(shared);
    return shared;
  };
  return {
    url,
    connect,
    /** `run --distributed` (or `resume --distributed` of `resumeId`) with fake worker processes for the check. */
    async coordinator(
      suite: LoadedSuite,
      extra: Partial<QueueExecutorOptions> & {
        resumeId?: number;
        resume?: ResumeOptions;
        heartbeatMs?: number;
        staleAfterMs?: number;
      } = {},
    ): Promise<Coordinator> {
      const shared = await connect();
      const events: RunEvent[] = [];
      const notices: string[] = [];
      const { resumeId, resume, heartbeatMs, staleAfterMs, ...executor } = extra;
      const forkWorker = fakeWorkers().forker;
      const options: RunnerOptions = {
        store: shared.store,
        forkWorker,
        backend: 'wasm',
        executor: new QueueExecutor({
          ...shared,
          forkWorker,
          backend: 'wasm',
          jobs: { expireInSeconds: 3600, retryLimit: 2 },
          pollMs: 50,
          ...executor,
        }),
        onEvent: (event) => events.push(event),
        onNotice: (message) => notices.push(message),
        heartbeatMs: heartbeatMs ?? 100,
        ...(staleAfterMs === undefined ? {} : { staleAfterMs }),
      };
      const run =
        resumeId === undefined
          ? await SuiteRun.start(options, suite)
          : await SuiteRun.resume(options, resumeId, { ...resume, onTakeOver: (message) => notices.push(message) });
      return { run, events, notices };
    },
    /** `transfer-bench worker --workers <slots>` with fake worker processes. */
    async worker(fake: FakeWorkers, slots = 1): Promise<Worker> {
      const shared = await connect();
      const log: string[] = [];
      const first = await LiveWorker.start(fake.forker, 'wasm');
      const loop = new DistributedWorker(
        {
          ...shared,
          forkWorker: fake.forker,
          backend: 'wasm',
          slots,
          pollMs: 50,
          trialHeartbeatMs: 200,
          log: (line) => log.push(line),
        },
        first,
      );
      const worker = { loop, fake, log, done: loop.run() };
      workers.push(worker);
      return worker;
    },
    /** A local `resume` on this database, as the engine service builds it. */
    async localResume(suiteId: number, fake: FakeWorkers, resume: ResumeOptions = {}, staleAfterMs?: number) {
      const shared = await connect();
      const events: RunEvent[] = [];
      const store = shared.store;
      const run = await SuiteRun.resume(
        {
          store,
          forkWorker: fake.forker,
          backend: 'wasm',
          workers: 1,
          onEvent: (event) => events.push(event),
          ...(store instanceof PgStore ? { cancelQueuedJobs: (id: number) => cancelQueuedJobs(store.pool, id) } : {}),
          ...(staleAfterMs === undefined ? {} : { staleAfterMs }),
        },
        suiteId,
        resume,
      );
      return { run, events };
    },
    async close() {
      for (const worker of workers) worker.loop.stop(true);
      await Promise.allSettled(workers.map((w) => w.done));
      for (const shared of opened) {
        await shared.close();
        await shared.store.close().catch(() => {});
      }
    },
  };
}

/** A cache folder of this test file's own, so that nothing is shared with other tests. */
export function ownCache(): () => void {
  const previous = process.env.TRANSFER_BENCH_CACHE;
  process.env.TRANSFER_BENCH_CACHE = mkdtempSync(join(tmpdir(), 'tb-dist-cache-'));
  return () => {
    if (previous === undefined) delete process.env.TRANSFER_BENCH_CACHE;
    else process.env.TRANSFER_BENCH_CACHE = previous;
  };
}

/**
 * For the tests of one file: a PostgreSQL server and a cache folder of its own (beforeAll), both gone afterwards;
 * returns the server, once started.
 */
export function postgresForFile(): () => PostgresServer {
  let server: PostgresServer | undefined;
  let restoreCache: (() => void) | undefined;
  beforeAll(async () => {
    restoreCache = ownCache();
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    restoreCache?.();
  });
  return () => {
    if (!server) throw new Error('postgresForFile: the server starts in beforeAll');
    return server;
  };
}
