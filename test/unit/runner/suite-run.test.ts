import type Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialResult } from '../../../benchmarks/domain.js';
import { UserError } from '../../../benchmarks/errors.js';
import type { RunEvent } from '../../../benchmarks/domain.js';
import { SuiteRun, type RunnerOptions } from '../../../benchmarks/runner/suite-runner.js';
import { recoverInterruptedSuites, thisProcessOwner } from '../../../benchmarks/runner/run-owner.js';
import { maxWorkers } from '../../../benchmarks/runner/worker-limit.js';
import { loadSuite, type LoadedSuite } from '../../../benchmarks/spec/load-suite.js';
import { specForSource } from '../../../benchmarks/spec/sources.js';
import { PRETRAIN_META, pretrainCacheKey, pretrainDir } from '../../../benchmarks/train/pretrain-cache.js';
import { openDb } from '../../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../../benchmarks/store/sqlite-store.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';
import { scaled } from '../../support/machine-load.js';
import { fakeWorkers, okResult, type FakeWorkers } from './fake-worker.js';

const tiny = loadSuite({ kind: 'file', path: TINY_SUITE });
/** Tiny with three seeds: 18 trials. */
const suite: LoadedSuite = { ...tiny, spec: { ...tiny.spec, seeds: [0, 1, 2] } };

let previousCache: string | undefined;
beforeAll(() => {
  previousCache = process.env.TRANSFER_BENCH_CACHE;
  process.env.TRANSFER_BENCH_CACHE = mkdtempSync(join(tmpdir(), 'tb-run-cache-'));
});
afterAll(() => {
  if (previousCache === undefined) delete process.env.TRANSFER_BENCH_CACHE;
  else process.env.TRANSFER_BENCH_CACHE = previousCache;
});

function freshStore(): { store: SqliteStore; db: Database.Database } {
  const db = openDb(join(mkdtempSync(join(tmpdir(), 'tb-run-')), 'results.db'));
  return { store: new SqliteStore(db), db };
}

function options(store: SqliteStore, fake: FakeWorkers, extra: Partial<RunnerOptions> = {}) {
  const events: RunEvent[] = [];
  const runner: RunnerOptions = {
    store,
    forkWorker: fake.forker,
    backend: 'wasm',
    workers: Math.min(2, maxWorkers()),
    onEvent: (event) => events.push(event),
    ...extra,
  };
  return { runner, events };
}

const statuses = async (store: SqliteStore, id: number) => (await store.listTrials(id)).map((t) => t.status);
const until = async (condition: () => boolean | Promise<boolean>, idleMs = 5_000) => {
  const end = Date.now() + scaled(idleMs);
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('SuiteRun with fake workers', () => {
  it('runs every trial once, stores each with its curve, and stops every worker at the end', async () => {
    const { store } = freshStore();
    const fake = fakeWorkers();
    const { runner, events } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    expect(await run.finished).toBe('done');
    expect(await statuses(store, run.suiteId)).toEqual(Array(18).fill('done'));
    expect([...fake.received].sort((a, b) => a - b)).toEqual((await store.listTrials(run.suiteId)).map((t) => t.id));
    expect(await store.listEpochs(run.suiteId)).toHaveLength(18);
    expect(await store.requireSuite(run.suiteId)).toMatchObject({ status: 'done', owner: null, trialsFinished: 18 });
    expect(events.at(0)).toMatchObject({ type: 'suite-started', total: 18, finished: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'suite-finished', status: 'done', error: null });
    await until(() => fake.alive === 0);
  });

  it('a worker dying mid-trial fails that trial only; a new process takes the slot', async () => {
    const { store } = freshStore();
    let victim: number | null = null;
    const fake = fakeWorkers({
      trial: (job) => {
        victim ??= job.trialId;
        return job.trialId === victim ? 'die' : { result: okResult(0.6) };
      },
    });
    const { runner } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    expect(await run.finished).toBe('done');
    const trials = await store.listTrials(run.suiteId);
    const dead = trials.find((t) => t.id === victim)!;
    expect(dead).toMatchObject({ status: 'failed', error: expect.stringContaining('signal SIGSEGV') });
    expect(trials.filter((t) => t.status === 'done')).toHaveLength(17);
    expect(fake.started).toBe(3);
    await until(() => fake.alive === 0);
  });

  it('starts every slot’s worker with the first, before the suite is checked; no more workers than trials', async () => {
    if (maxWorkers() < 2) return;
    const oneTrial: LoadedSuite['spec'] = {
      ...suite.spec,
      sizes: [suite.spec.sizes[0]!],
      seeds: [0],
      approaches: { scratch: suite.spec.approaches.scratch! },
    };
    for (const [spec, expected] of [
      [suite.spec, 2],
      [oneTrial, 1],
    ] as const) {
      const { store } = freshStore();
      const fake = fakeWorkers();
      // what the workers were asked, in order: a started process, or a message sent to one
      const log: string[] = [];
      const forker: typeof fake.forker = (...args) => {
        log.push('start');
        const handle = fake.forker(...args);
        return { ...handle, send: (message) => (log.push((message as { type: string }).type), handle.send(message)) };
      };
      const { runner } = options(store, { ...fake, forker }, { workers: 2 });
      const run = await SuiteRun.start(runner, { ...suite, spec });
      expect(await run.finished).toBe('done');
      // before, the second worker started when the trials did: a worker's start-up after the first slot
      const beforeCheck = log.slice(0, log.indexOf('check'));
      expect(
        beforeCheck.filter((m) => m === 'start'),
        log.join(' '),
      ).toHaveLength(expected);
      expect(fake.started).toBe(expected);
      await until(() => fake.alive === 0);
    }
  });

  it('when the first worker cannot start, the run does not start and the process started beside it is stopped', async () => {
    if (maxWorkers() < 2) return;
    const { store } = freshStore();
    const fake = fakeWorkers({ failStart: (n) => n === 1 });
    const { runner } = options(store, fake, { workers: 2 });
    await expect(SuiteRun.start(runner, suite)).rejects.toThrow(/worker process exited while loading the backend/);
    expect(fake.started).toBe(2);
    await until(() => fake.alive === 0);
    expect(await store.listSuites()).toEqual([]);
  });

  it('a slot that cannot start a worker: the other slot finishes the queue, then the suite is failed', async () => {
    const { store } = freshStore();
    const fake = fakeWorkers({ failStart: (n) => n === 2 });
    const { runner, events } = options(store, fake, { workers: 2 });
    if (maxWorkers() < 2) return;
    const run = await SuiteRun.start(runner, suite);
    expect(await run.finished).toBe('failed');
    expect(await statuses(store, run.suiteId)).toEqual(Array(18).fill('done'));
    expect(await store.requireSuite(run.suiteId)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('worker process exited while loading the backend'),
    });
    expect(events.at(-1)).toMatchObject({ type: 'suite-finished', status: 'failed' });
    await until(() => fake.alive === 0);
  });

  it('cancel kills the workers, keeps finished trials, and resume runs only the rest', async () => {
    const { store } = freshStore();
    let hang = true;
    const fake = fakeWorkers({ trial: (job) => (hang && job.trialId > 4 ? 'hang' : { result: okResult(0.7) }) });
    const { runner } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    await until(async () => {
      const trials = await store.listTrials(run.suiteId);
      return trials.filter((t) => t.status === 'done').length === 4 && trials.some((t) => t.status === 'running');
    });
    run.cancel();
    expect(await run.finished).toBe('cancelled');
    await until(() => fake.alive === 0);
    const before = await store.listTrials(run.suiteId);
    expect(before.filter((t) => t.status === 'done').map((t) => t.id)).toEqual([1, 2, 3, 4]);
    expect(before.some((t) => t.status === 'running')).toBe(false);
    expect(await store.requireSuite(run.suiteId)).toMatchObject({ status: 'cancelled', owner: null });

    hang = false;
    const received = fake.received.length;
    const resumed = await SuiteRun.resume(runner, run.suiteId);
    expect(await resumed.finished).toBe('done');
    const after = await store.listTrials(run.suiteId);
    expect(after.every((t) => t.status === 'done')).toBe(true);
    for (const t of before.filter((b) => b.status === 'done')) {
      expect(after.find((a) => a.id === t.id)!.finishedAt).toBe(t.finishedAt);
    }
    expect(fake.received.slice(received).sort((a, b) => a - b)).toEqual(after.filter((t) => t.id > 4).map((t) => t.id));
    await expect(SuiteRun.resume(runner, run.suiteId)).rejects.toThrow(/already complete/);
  });

  it('two resumes at once: the second is refused and changes nothing; the first stays cancellable', async () => {
    const { store } = freshStore();
    const fake = fakeWorkers({ trial: () => 'hang' });
    const { runner } = options(store, fake);
    const first = await SuiteRun.start(runner, suite);
    first.cancel();
    await first.finished;
    const [a, b] = await Promise.allSettled([
      SuiteRun.resume(runner, first.suiteId),
      SuiteRun.resume(runner, first.suiteId),
    ]);
    const won = [a, b].filter((r) => r.status === 'fulfilled');
    const lost = [a, b].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(UserError);
    expect(String(lost[0]!.reason)).toMatch(/suite 1 is already being run \(process \d+ on host .*--force/);
    const run = (won[0] as PromiseFulfilledResult<SuiteRun>).value;
    await until(async () => (await store.listTrials(run.suiteId)).some((t) => t.status === 'running'));
    run.cancel();
    expect(await run.finished).toBe('cancelled');
    expect((await store.requireSuite(run.suiteId)).status).toBe('cancelled');
    await until(() => fake.alive === 0);
  });

  it('a live owner elsewhere is refused; a stale one is taken; --force takes a live one and stops it', async () => {
    const { store } = freshStore();
    let hang = true;
    const fake = fakeWorkers({ trial: () => (hang ? 'hang' : { result: okResult(0.8) }) });
    const { runner, events } = options(store, fake, { heartbeatMs: 20, staleAfterMs: 500 });
    const holder = await SuiteRun.start(runner, suite);
    await until(async () => (await store.listTrials(holder.suiteId)).some((t) => t.status === 'running'));

    // The suite held by a run on another host with a fresh heartbeat: refused.
    const elsewhere = { ...thisProcessOwner(), host: 'another-host' };
    const other = freshStore().store;
    const otherId = await other.createSuite({
      spec: suite.spec,
      baseDir: suite.baseDir,
      backendChoice: 'wasm',
      env: (await store.requireSuite(holder.suiteId)).env,
      trials: [],
      owner: elsewhere,
    });
    await expect(SuiteRun.resume({ ...runner, store: other }, otherId)).rejects.toThrow(/another-host/);
    // Its heartbeat goes stale: the claim succeeds without force.
    await new Promise((resolve) => setTimeout(resolve, 600));
    hang = false;
    const taken = await SuiteRun.resume({ ...runner, store: other }, otherId);
    expect(await taken.finished).toBe('done');

    // Force takes the live suite from `holder`, which notices at its next heartbeat and stops without writing.
    hang = false;
    const warnings: string[] = [];
    const forced = await SuiteRun.resume(runner, holder.suiteId, { force: true, onTakeOver: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      expect.stringMatching(/suite 1 looked alive \(process \d+ on host .*\); taking it over/),
    ]);
    expect(await holder.finished).toBe('cancelled');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'suite-finished',
        suiteId: holder.suiteId,
        error: expect.stringMatching(/taken over/),
      }),
    );
    expect(await forced.finished).toBe('done');
    expect(await store.requireSuite(holder.suiteId)).toMatchObject({ status: 'done', owner: null, trialsFinished: 18 });
    expect(await statuses(store, holder.suiteId)).toEqual(Array(18).fill('done'));
    await until(() => fake.alive === 0);
  });

  it('a suite whose recorded pid now belongs to another process is not taken for running', async () => {
    const { store } = freshStore();
    // This process's pid, but another start time: the pid was reused.
    const reused = { ...thisProcessOwner(), processStart: '1' };
    const id = await store.createSuite({
      spec: suite.spec,
      baseDir: suite.baseDir,
      backendChoice: 'wasm',
      env: freshEnv(),
      trials: [],
      owner: reused,
    });
    expect(await recoverInterruptedSuites(store)).toEqual([id]);
    expect(await store.requireSuite(id)).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/interrupted/),
    });
  });

  it('a result that cannot be stored leaves its trial unfinished and stops the run; resume runs it again', async () => {
    const { store } = freshStore();
    let full = true;
    let failedWrite: number | null = null;
    const original = store.finishTrial.bind(store);
    store.finishTrial = async (id: number, token: string, result: TrialResult) => {
      if (full) {
        failedWrite = id;
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      }
      await original(id, token, result);
    };
    // The disk stays full: the run cannot record its end either.
    const release = store.releaseSuite.bind(store);
    store.releaseSuite = async (...args: Parameters<SqliteStore['releaseSuite']>) => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return release(...args);
    };
    const fake = fakeWorkers();
    const { runner, events } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    expect(await run.finished).toBe('failed');
    const end = events.at(-1)!;
    expect(end).toMatchObject({ type: 'suite-finished', status: 'failed' });
    const message = end.type === 'suite-finished' ? end.error! : '';
    expect(message).toMatch(
      /could not store the result of trial \d+ \(scratch, 10 examples, seed 0\) in .*results\.db/,
    );
    expect(message).toContain('database or disk is full (SQLITE_FULL)');
    expect(message).toContain('transfer-bench resume 1');
    expect(message).toContain("the suite's final status could not be stored either");
    const trial = (await store.getTrial(failedWrite!))!;
    expect(trial.status).toBe('cancelled');
    expect(await store.requireSuite(run.suiteId)).toMatchObject({ status: 'running', trialsFinished: 0 });
    await until(() => fake.alive === 0);

    // Space is freed: resume right away (the suite still reads `running`, but its run in this process is over).
    full = false;
    const resumed = await SuiteRun.resume(runner, run.suiteId);
    expect(await resumed.finished).toBe('done');
    expect(await statuses(store, run.suiteId)).toEqual(Array(18).fill('done'));
    expect(fake.received.filter((id) => id === failedWrite).length).toBe(2);
  });

  it('a pretraining record that cannot be stored stops the run with the same clear message', async () => {
    const { store } = freshStore();
    store.setSuitePretrain = async () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const fake = fakeWorkers();
    const { runner, events } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    expect(await run.finished).toBe('failed');
    const end = events.at(-1)!;
    expect(end.type === 'suite-finished' && end.error).toMatch(
      /^could not store the pretraining record \(the model itself is cached\) in .*results\.db: database or disk is full \(SQLITE_FULL\)\. The suite stopped before running its trials; .*`transfer-bench resume 1`/,
    );
    expect(fake.received).toEqual([]);
    await until(() => fake.alive === 0);
  });

  it('a real SQLITE_FULL (database size capped) is a storage error, not a failed trial', async () => {
    const { store, db } = freshStore();
    const big: TrialResult = {
      ...okResult(0.5),
      epochRecords: Array.from({ length: 3000 }, (_, i) => ({ ...okResult(0.5).epochRecords[0]!, epoch: i + 1 })),
    };
    const fake = fakeWorkers({ trial: () => ({ result: big }) });
    const { runner, events } = options(store, fake, { workers: 1 });
    const run = await SuiteRun.start(runner, suite);
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    expect(await run.finished).toBe('failed');
    const end = events.at(-1)!;
    expect(end.type === 'suite-finished' && end.error).toMatch(/could not store the result of trial 1 .*SQLITE_FULL/);
    expect((await store.listTrials(run.suiteId)).some((t) => t.status === 'failed')).toBe(false);
    expect(await store.listEpochs(run.suiteId)).toEqual([]);
    await until(() => fake.alive === 0);
  });

  it('resume --retry-failed reruns failed trials; without it a suite with only failed left is complete', async () => {
    const { store } = freshStore();
    let die = true;
    const fake = fakeWorkers({ trial: (job) => (die && job.trialId === 3 ? 'die' : { result: okResult(0.9) }) });
    const { runner } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    expect(await run.finished).toBe('done');
    expect((await store.getTrial(3))!.status).toBe('failed');
    await expect(SuiteRun.resume(runner, run.suiteId)).rejects.toThrow(
      /already complete: nothing to resume \(1 failed; to run them again: resume 1 --retry-failed\)/,
    );
    die = false;
    const retried = await SuiteRun.resume(runner, run.suiteId, { retryFailed: true });
    expect(await retried.finished).toBe('done');
    expect(await statuses(store, run.suiteId)).toEqual(Array(18).fill('done'));
    expect(fake.received.filter((id) => id === 3)).toHaveLength(2);
  });

  it('resume says when the source data changed since the suite started (another pretraining cache key)', async () => {
    const { store } = freshStore();
    const dir = mkdtempSync(join(tmpdir(), 'tb-run-data-'));
    writeFileSync(join(dir, 'images'), 'first version');
    writeFileSync(join(dir, 'labels'), 'labels');
    const idx: LoadedSuite = {
      ...suite,
      baseDir: dir,
      spec: {
        ...suite.spec,
        pretrain: {
          ...suite.spec.pretrain!,
          dataset: { kind: 'idx', dir: '.', train: { images: 'images', labels: 'labels' } },
        },
      },
    };
    let hang = true;
    const fake = fakeWorkers({ trial: (job) => (hang && job.trialId > 2 ? 'hang' : { result: okResult(0.7) }) });
    const { runner, events } = options(store, fake);
    const run = await SuiteRun.start(runner, idx);
    await until(async () => (await store.requireSuite(run.suiteId)).trialsFinished === 2);
    run.cancel();
    await run.finished;
    const firstKey = (await store.requireSuite(run.suiteId)).pretrain!.cacheKey;
    writeFileSync(join(dir, 'images'), 'second version');
    hang = false;
    const resumed = await SuiteRun.resume(runner, run.suiteId);
    expect(await resumed.finished).toBe('done');
    const started = events.filter((e) => e.type === 'suite-started').at(-1)!;
    expect(started.type === 'suite-started' && started.notices).toEqual([
      expect.stringContaining(`cache key changed since this suite started (${firstKey} → `),
    ]);
    expect((await store.requireSuite(run.suiteId)).pretrain!.cacheKey).not.toBe(firstKey);
  });

  it('several sources: each pretrained once (a cached one reused), its trials run from its own model, scratch from none', async () => {
    const { store, db } = freshStore();
    const { pretrain, ...rest } = suite.spec;
    const sources: LoadedSuite = {
      ...suite,
      spec: {
        ...rest,
        seeds: [0],
        sources: [
          { name: 'near', pretrain: pretrain! },
          { name: 'other', pretrain: { ...pretrain!, seed: 7 } },
        ],
      },
    };
    // "other" is already in the cache (as a single-source suite with the same pretraining would have left it)
    const otherKey = pretrainCacheKey(specForSource(sources.spec, 'other'), sources.baseDir, 'wasm')!;
    mkdirSync(pretrainDir(otherKey), { recursive: true });
    writeFileSync(join(pretrainDir(otherKey), 'model.json'), '{}');
    writeFileSync(
      join(pretrainDir(otherKey), PRETRAIN_META),
      JSON.stringify({
        cacheKey: otherKey,
        reused: false,
        sourceDescription: 'cached',
        epochs: 1,
        wallSeconds: 9,
        trainFlops: 1,
        sourceTestAccuracy: 0.8,
        backend: 'wasm',
      }),
    );
    const fake = fakeWorkers();
    const { runner, events } = options(store, fake);
    const run = await SuiteRun.start(runner, sources);
    expect(await run.finished).toBe('done');
    // one scratch and two transfer approaches from each of two sources, at two sizes
    const stored = await store.listTrials(run.suiteId);
    expect(stored.map((t) => [t.approach, t.source, t.trainSize])).toEqual(
      [10, 40].flatMap((size) => [
        ['scratch', undefined, size],
        ['finetune', 'near', size],
        ['linear-probe', 'near', size],
        ['finetune', 'other', size],
        ['linear-probe', 'other', size],
      ]),
    );
    expect(stored.every((t) => t.status === 'done')).toBe(true);
    // only "near" was pretrained, once, and its job saw the suite as a single-source suite
    expect(fake.pretrainJobs).toHaveLength(1);
    expect(fake.pretrainJobs[0]!.spec.pretrain).toEqual(pretrain);
    expect(fake.pretrainJobs[0]!.spec.sources).toBeUndefined();
    const nearKey = fake.pretrainJobs[0]!.cacheKey;
    expect(nearKey).not.toBe(otherKey);
    expect((await store.requireSuite(run.suiteId)).pretrains).toEqual([
      expect.objectContaining({ source: 'near', cacheKey: nearKey, reused: false }),
      expect.objectContaining({ source: 'other', cacheKey: otherKey, reused: true, wallSeconds: 9 }),
    ]);
    expect((await store.requireSuite(run.suiteId)).pretrain).toBeNull();
    expect(
      events
        .filter((e) => e.type === 'pretrain-finished')
        .map((e) => e.type === 'pretrain-finished' && [e.source, e.reused]),
    ).toEqual([
      ['near', false],
      ['other', true],
    ]);
    // every trial starts from its own source's model; scratch from none
    for (const job of fake.trialJobs) {
      const model = job.base?.path ?? null;
      if (job.key.approach === 'scratch') {
        expect(model).toBeNull();
        expect(job.spec.pretrain).toBeUndefined();
      } else {
        const key = job.key.source === 'near' ? nearKey : otherKey;
        expect(model).toBe(join(pretrainDir(key), 'model.json'));
        expect(job.spec.pretrain?.seed).toBe(job.key.source === 'near' ? 0 : 7);
      }
    }
    // the stored key carries the source, in the approach column and nowhere else
    const keys = db
      .prepare('SELECT approach FROM trials WHERE suite_id = ? AND train_size = 10 ORDER BY id')
      .pluck()
      .all(run.suiteId);
    expect(keys).toEqual(['scratch', 'finetune@near', 'linear-probe@near', 'finetune@other', 'linear-probe@other']);
  });

  it('refuses more workers than the limit before starting anything', async () => {
    const { store } = freshStore();
    const fake = fakeWorkers();
    const { runner } = options(store, fake, { workers: 1000 });
    await expect(SuiteRun.start(runner, suite)).rejects.toThrow(
      new RegExp(`workers 1000: give a whole number from 1 to ${maxWorkers()}`),
    );
    expect(fake.started).toBe(0);
    expect(await store.listSuites()).toEqual([]);
  });
});

function freshEnv() {
  return {
    appVersion: '0',
    nodeVersion: process.version,
    tfjsVersion: '0',
    platform: process.platform,
    arch: process.arch,
    cpus: '',
    backend: null,
    device: null,
  };
}
