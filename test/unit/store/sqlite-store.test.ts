import type Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITE_STATUSES, TRIAL_STATUSES, type TrialResult } from '../../../benchmarks/domain.js';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { planTrials } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { MIGRATIONS } from '../../../benchmarks/store/migrations.js';
import { openDb } from '../../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../../benchmarks/store/sqlite-store.js';
import { TrialNotRunningError, type RunOwner, type Store } from '../../../benchmarks/store/store.js';

const owner = (token = 'run-1'): RunOwner => ({ token, host: 'h', scope: 's', pid: 1, processStart: '1' });
const alive = () => true;
const dead = () => false;

const quick = loadSuite({ kind: 'builtin', name: 'quick' });

function freshStore(): { store: Store; path: string; db: Database.Database } {
  const path = join(mkdtempSync(join(tmpdir(), 'tb-store-')), 'results.db');
  const db = openDb(path);
  return { store: new SqliteStore(db), path, db };
}

function createQuick(store: Store): Promise<number> {
  return store.createSuite({
    spec: quick.spec,
    baseDir: quick.baseDir,
    backendChoice: 'auto',
    env: environmentInfo(null),
    trials: planTrials(quick.spec),
    owner: owner(),
  });
}

const doneResult = (accuracy: number): TrialResult => ({
  status: 'done',
  testAccuracy: accuracy,
  testLoss: 0.5,
  epochs: 3,
  bestEpoch: 2,
  steps: 30,
  wallSeconds: 1.5,
  trainableParams: 100,
  totalParams: 200,
  trainFlops: 1e6,
  peakBytes: 1024,
  learningRate: null,
  lrCandidates: [],
  protocol: null,
  backend: 'wasm',
  device: 'CPU',
  error: null,
  epochRecords: [1, 2, 3].map((epoch) => ({
    epoch,
    step: epoch * 10,
    trainLoss: 1 / epoch,
    trainAccuracy: 0.5,
    valLoss: 1 / epoch,
    valAccuracy: 0.5,
    elapsedSeconds: epoch / 2,
  })),
});

describe('SqliteStore', () => {
  it('sets WAL, foreign keys and the schema version', async () => {
    const { db } = freshStore();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer version, naming the fix', async () => {
    const { path, db } = freshStore();
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDb(path)).toThrow(/newer than this transfer-bench understands/);
  });

  it('creates a suite with every planned trial pending', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    const trials = await store.listTrials(id);
    expect(trials).toHaveLength(quick.spec.sizes.length * quick.spec.seeds.length * 4);
    expect(new Set(trials.map((t) => t.status))).toEqual(new Set(['pending']));
    expect(await store.requireSuite(id)).toMatchObject({
      name: 'quick',
      trialsFinished: 0,
      trialsTotal: trials.length,
    });
  });

  it('writes a trial with its curve, and resume resets only unfinished trials', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    const [first, second, third] = await store.listTrials(id);
    expect(await store.markTrialRunning(first!.id, 'run-1')).toBe(true);
    await store.finishTrial(first!.id, 'run-1', doneResult(0.9));
    await store.markTrialRunning(second!.id, 'run-1');
    await store.markTrialRunning(third!.id, 'run-1');
    await store.markTrialCancelled(third!.id, 'run-1');
    expect(await store.listEpochs(id)).toHaveLength(3);
    await store.resetUnfinishedTrials(id, 'run-1');
    const after = await store.listTrials(id);
    expect(after[0]).toMatchObject({ status: 'done', testAccuracy: 0.9, bestEpoch: 2 });
    expect(after[1]!.status).toBe('pending');
    expect(after[2]!.status).toBe('pending');
    expect((await store.requireSuite(id)).trialsFinished).toBe(1);
  });

  it('keeps the learning rate chosen, every candidate and the selection protocol of a trial', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    const [first] = await store.listTrials(id);
    expect(first).toMatchObject({ learningRate: null, lrCandidates: [], protocol: null });
    await store.markTrialRunning(first!.id, 'run-1');
    const lrCandidates = [
      { learningRate: 0.001, bestValLoss: 0.42, steps: 300, pruned: false, diverged: false },
      { learningRate: 0.0003, bestValLoss: 0.61, steps: 100, pruned: true, diverged: false },
      { learningRate: 0.003, bestValLoss: null, steps: 20, pruned: false, diverged: true },
    ];
    const protocol = { kind: 'kfold' as const, folds: 5, chosenSteps: 180, examples: 20 };
    await store.finishTrial(first!.id, 'run-1', { ...doneResult(0.9), learningRate: 0.001, lrCandidates, protocol });
    expect((await store.listTrials(id))[0]).toMatchObject({ learningRate: 0.001, lrCandidates, protocol });
  });

  it('writes a finished trial once: a second write, or one by another run, is refused and changes nothing', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    const [first, second] = await store.listTrials(id);
    await store.markTrialRunning(first!.id, 'run-1');
    await store.finishTrial(first!.id, 'run-1', doneResult(0.9));
    await expect(store.finishTrial(first!.id, 'run-1', doneResult(0.1))).rejects.toThrow(TrialNotRunningError);
    expect((await store.getTrial(first!.id))!.testAccuracy).toBe(0.9);
    expect(await store.markTrialRunning(first!.id, 'run-1')).toBe(false);
    await store.markTrialRunning(second!.id, 'run-1');
    await expect(store.finishTrial(second!.id, 'run-2', doneResult(0.5))).rejects.toThrow(TrialNotRunningError);
    expect((await store.getTrial(second!.id))!.status).toBe('running');
    expect(await store.listEpochs(id)).toHaveLength(3);
  });

  it('counts done, diverged and failed trials as finished, and reruns failed ones only when asked', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    const [a, b, c] = await store.listTrials(id);
    for (const [trial, status] of [
      [a!, 'done'],
      [b!, 'diverged'],
      [c!, 'failed'],
    ] as const) {
      await store.markTrialRunning(trial.id, 'run-1');
      await store.finishTrial(trial.id, 'run-1', { ...doneResult(0.5), status });
    }
    expect((await store.requireSuite(id)).trialsFinished).toBe(3);
    await store.resetUnfinishedTrials(id, 'run-1');
    expect((await store.requireSuite(id)).trialsFinished).toBe(3);
    await store.resetUnfinishedTrials(id, 'run-1', { retryFailed: true });
    expect(await store.getTrial(c!.id)).toMatchObject({ status: 'pending', testAccuracy: null, error: null });
    expect((await store.listEpochs(id)).filter((e) => e.trialId === c!.id)).toEqual([]);
    expect((await store.getTrial(b!.id))!.status).toBe('diverged');
    expect((await store.requireSuite(id)).trialsFinished).toBe(2);
  });

  it('claims a suite for one run at a time: refused while a live run holds it, taken with force or from a dead one', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    expect((await store.requireSuite(id)).owner).toMatchObject({ token: 'run-1', heartbeatAt: expect.any(Number) });
    await expect(store.claimSuite(id, owner('run-2'), { isAlive: alive })).rejects.toThrow(
      /suite 1 is already being run \(process 1 on host h, last heartbeat 0 s ago\).*--force/,
    );
    expect((await store.requireSuite(id)).owner!.token).toBe('run-1');
    const before = await store.claimSuite(id, owner('run-2'), { isAlive: dead });
    expect(before.owner!.token).toBe('run-1');
    expect(await store.heartbeat(id, 'run-1')).toBe(false);
    expect(await store.heartbeat(id, 'run-2')).toBe(true);
    expect(await store.releaseSuite(id, 'run-1', { status: 'done' })).toBe(false);
    await store.claimSuite(id, owner('run-3'), { isAlive: alive, force: true });
    await expect(store.resetUnfinishedTrials(id, 'run-2')).rejects.toThrow(/not held by this run/);
    expect(await store.releaseSuite(id, 'run-3', { status: 'cancelled' })).toBe(true);
    expect(await store.requireSuite(id)).toMatchObject({
      status: 'cancelled',
      owner: null,
      finishedAt: expect.any(String),
    });
    // A suite that is not running has no holder to refuse.
    await store.claimSuite(id, owner('run-4'), { isAlive: alive });
    expect((await store.requireSuite(id)).owner!.token).toBe('run-4');
  });

  it('releasing a suite cancels the trials its run left running', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    const [first] = await store.listTrials(id);
    await store.markTrialRunning(first!.id, 'run-1');
    await store.releaseSuite(id, 'run-1', { status: 'failed', error: 'x' });
    expect((await store.getTrial(first!.id))!.status).toBe('cancelled');
    expect(await store.requireSuite(id)).toMatchObject({ status: 'failed', error: 'x' });
  });

  it('recovers suites whose run is gone, and leaves live ones alone', async () => {
    const { store } = freshStore();
    const live = await createQuick(store);
    const gone = await createQuick(store);
    const trial = (await store.listTrials(gone))[0]!;
    await store.markTrialRunning(trial.id, 'run-1');
    const recovered = await store.recoverInterruptedSuites(dead);
    expect(recovered.sort()).toEqual([live, gone].sort());
    expect((await store.getTrial(trial.id))!.status).toBe('cancelled');
    expect(await store.requireSuite(gone)).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/interrupted/),
    });
    const third = await createQuick(store);
    expect(await store.recoverInterruptedSuites(alive)).toEqual([]);
    expect((await store.requireSuite(third)).status).toBe('running');
  });

  it('stores a diverged loss as empty, not as a number', async () => {
    const { store } = freshStore();
    const id = await createQuick(store);
    const trial = (await store.listTrials(id))[0]!;
    const result = doneResult(0.1);
    await store.markTrialRunning(trial.id, 'run-1');
    await store.finishTrial(trial.id, 'run-1', { ...result, status: 'diverged', testLoss: Number.NaN });
    expect((await store.getTrial(trial.id))!.testLoss).toBeNull();
  });

  it('the schema allows exactly the statuses domain.ts defines', async () => {
    const { db } = freshStore();
    const checkOf = (table: string): string[] => {
      const { sql } = db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(table) as { sql: string };
      const list = /status TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(sql)![1]!;
      return list.split(',').map((s) => s.trim().replace(/'/g, ''));
    };
    expect(checkOf('trials')).toEqual([...TRIAL_STATUSES]);
    expect(checkOf('suites')).toEqual([...SUITE_STATUSES]);
  });

  it('says which suite id does not exist', async () => {
    const { store } = freshStore();
    await expect(store.requireSuite(42)).rejects.toThrow(/no suite with id 42/);
  });
});
