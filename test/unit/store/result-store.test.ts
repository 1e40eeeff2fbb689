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
import { ResultStore, TrialNotRunningError, type RunOwner } from '../../../benchmarks/store/result-store.js';

const owner = (token = 'run-1'): RunOwner => ({ token, host: 'h', scope: 's', pid: 1, processStart: '1' });
const alive = () => true;
const dead = () => false;

const quick = loadSuite({ kind: 'builtin', name: 'quick' });

function freshStore(): { store: ResultStore; path: string; db: Database.Database } {
  const path = join(mkdtempSync(join(tmpdir(), 'tb-store-')), 'results.db');
  const db = openDb(path);
  return { store: new ResultStore(db), path, db };
}

function createQuick(store: ResultStore): number {
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

describe('ResultStore', () => {
  it('sets WAL, foreign keys and the schema version', () => {
    const { db } = freshStore();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer version, naming the fix', () => {
    const { path, db } = freshStore();
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDb(path)).toThrow(/newer than this transfer-bench understands/);
  });

  it('creates a suite with every planned trial pending', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const trials = store.listTrials(id);
    expect(trials).toHaveLength(quick.spec.sizes.length * quick.spec.seeds.length * 4);
    expect(new Set(trials.map((t) => t.status))).toEqual(new Set(['pending']));
    expect(store.requireSuite(id)).toMatchObject({ name: 'quick', trialsFinished: 0, trialsTotal: trials.length });
  });

  it('writes a trial with its curve, and resume resets only unfinished trials', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const [first, second, third] = store.listTrials(id);
    expect(store.markTrialRunning(first!.id, 'run-1')).toBe(true);
    store.finishTrial(first!.id, 'run-1', doneResult(0.9));
    store.markTrialRunning(second!.id, 'run-1');
    store.markTrialRunning(third!.id, 'run-1');
    store.markTrialCancelled(third!.id, 'run-1');
    expect(store.listEpochs(id)).toHaveLength(3);
    store.resetUnfinishedTrials(id, 'run-1');
    const after = store.listTrials(id);
    expect(after[0]).toMatchObject({ status: 'done', testAccuracy: 0.9, bestEpoch: 2 });
    expect(after[1]!.status).toBe('pending');
    expect(after[2]!.status).toBe('pending');
    expect(store.requireSuite(id).trialsFinished).toBe(1);
  });

  it('keeps the learning rate chosen, every candidate and the selection protocol of a trial', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const [first] = store.listTrials(id);
    expect(first).toMatchObject({ learningRate: null, lrCandidates: [], protocol: null });
    store.markTrialRunning(first!.id, 'run-1');
    const lrCandidates = [
      { learningRate: 0.001, bestValLoss: 0.42, steps: 300, pruned: false, diverged: false },
      { learningRate: 0.0003, bestValLoss: 0.61, steps: 100, pruned: true, diverged: false },
      { learningRate: 0.003, bestValLoss: null, steps: 20, pruned: false, diverged: true },
    ];
    const protocol = { kind: 'kfold' as const, folds: 5, chosenSteps: 180, examples: 20 };
    store.finishTrial(first!.id, 'run-1', { ...doneResult(0.9), learningRate: 0.001, lrCandidates, protocol });
    expect(store.listTrials(id)[0]).toMatchObject({ learningRate: 0.001, lrCandidates, protocol });
  });

  it('writes a finished trial once: a second write, or one by another run, is refused and changes nothing', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const [first, second] = store.listTrials(id);
    store.markTrialRunning(first!.id, 'run-1');
    store.finishTrial(first!.id, 'run-1', doneResult(0.9));
    expect(() => store.finishTrial(first!.id, 'run-1', doneResult(0.1))).toThrow(TrialNotRunningError);
    expect(store.getTrial(first!.id)!.testAccuracy).toBe(0.9);
    expect(store.markTrialRunning(first!.id, 'run-1')).toBe(false);
    store.markTrialRunning(second!.id, 'run-1');
    expect(() => store.finishTrial(second!.id, 'run-2', doneResult(0.5))).toThrow(TrialNotRunningError);
    expect(store.getTrial(second!.id)!.status).toBe('running');
    expect(store.listEpochs(id)).toHaveLength(3);
  });

  it('counts done, diverged and failed trials as finished, and reruns failed ones only when asked', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const [a, b, c] = store.listTrials(id);
    for (const [trial, status] of [
      [a!, 'done'],
      [b!, 'diverged'],
      [c!, 'failed'],
    ] as const) {
      store.markTrialRunning(trial.id, 'run-1');
      store.finishTrial(trial.id, 'run-1', { ...doneResult(0.5), status });
    }
    expect(store.requireSuite(id).trialsFinished).toBe(3);
    store.resetUnfinishedTrials(id, 'run-1');
    expect(store.requireSuite(id).trialsFinished).toBe(3);
    store.resetUnfinishedTrials(id, 'run-1', { retryFailed: true });
    expect(store.getTrial(c!.id)).toMatchObject({ status: 'pending', testAccuracy: null, error: null });
    expect(store.listEpochs(id).filter((e) => e.trialId === c!.id)).toEqual([]);
    expect(store.getTrial(b!.id)!.status).toBe('diverged');
    expect(store.requireSuite(id).trialsFinished).toBe(2);
  });

  it('claims a suite for one run at a time: refused while a live run holds it, taken with force or from a dead one', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    expect(store.requireSuite(id).owner).toMatchObject({ token: 'run-1', heartbeatAt: expect.any(Number) });
    expect(() => store.claimSuite(id, owner('run-2'), { isAlive: alive })).toThrow(
      /suite 1 is already being run \(process 1 on host h, last heartbeat 0 s ago\).*--force/,
    );
    expect(store.requireSuite(id).owner!.token).toBe('run-1');
    const before = store.claimSuite(id, owner('run-2'), { isAlive: dead });
    expect(before.owner!.token).toBe('run-1');
    expect(store.heartbeat(id, 'run-1')).toBe(false);
    expect(store.heartbeat(id, 'run-2')).toBe(true);
    expect(store.releaseSuite(id, 'run-1', { status: 'done' })).toBe(false);
    store.claimSuite(id, owner('run-3'), { isAlive: alive, force: true });
    expect(() => store.resetUnfinishedTrials(id, 'run-2')).toThrow(/not held by this run/);
    expect(store.releaseSuite(id, 'run-3', { status: 'cancelled' })).toBe(true);
    expect(store.requireSuite(id)).toMatchObject({ status: 'cancelled', owner: null, finishedAt: expect.any(String) });
    // A suite that is not running has no holder to refuse.
    store.claimSuite(id, owner('run-4'), { isAlive: alive });
    expect(store.requireSuite(id).owner!.token).toBe('run-4');
  });

  it('releasing a suite cancels the trials its run left running', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const [first] = store.listTrials(id);
    store.markTrialRunning(first!.id, 'run-1');
    store.releaseSuite(id, 'run-1', { status: 'failed', error: 'x' });
    expect(store.getTrial(first!.id)!.status).toBe('cancelled');
    expect(store.requireSuite(id)).toMatchObject({ status: 'failed', error: 'x' });
  });

  it('recovers suites whose run is gone, and leaves live ones alone', () => {
    const { store } = freshStore();
    const live = createQuick(store);
    const gone = createQuick(store);
    const trial = store.listTrials(gone)[0]!;
    store.markTrialRunning(trial.id, 'run-1');
    const recovered = store.recoverInterruptedSuites(dead);
    expect(recovered.sort()).toEqual([live, gone].sort());
    expect(store.getTrial(trial.id)!.status).toBe('cancelled');
    expect(store.requireSuite(gone)).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/interrupted/),
    });
    const third = createQuick(store);
    expect(store.recoverInterruptedSuites(alive)).toEqual([]);
    expect(store.requireSuite(third).status).toBe('running');
  });

  it('stores a diverged loss as empty, not as a number', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const trial = store.listTrials(id)[0]!;
    const result = doneResult(0.1);
    store.markTrialRunning(trial.id, 'run-1');
    store.finishTrial(trial.id, 'run-1', { ...result, status: 'diverged', testLoss: Number.NaN });
    expect(store.getTrial(trial.id)!.testLoss).toBeNull();
  });

  it('the schema allows exactly the statuses domain.ts defines', () => {
    const { db } = freshStore();
    const checkOf = (table: string): string[] => {
      const { sql } = db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(table) as { sql: string };
      const list = /status TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(sql)![1]!;
      return list.split(',').map((s) => s.trim().replace(/'/g, ''));
    };
    expect(checkOf('trials')).toEqual([...TRIAL_STATUSES]);
    expect(checkOf('suites')).toEqual([...SUITE_STATUSES]);
  });

  it('says which suite id does not exist', () => {
    const { store } = freshStore();
    expect(() => store.requireSuite(42)).toThrow(/no suite with id 42/);
  });
});
