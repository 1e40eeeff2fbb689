import type Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrialResult } from '../../../benchmarks/domain.js';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { planTrials } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { MIGRATIONS } from '../../../benchmarks/store/migrations.js';
import { openDb } from '../../../benchmarks/store/open-db.js';
import { ResultStore } from '../../../benchmarks/store/result-store.js';

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
    expect(store.requireSuite(id)).toMatchObject({ name: 'quick', trialsDone: 0, trialsTotal: trials.length });
  });

  it('writes a trial with its curve, and resume resets only unfinished trials', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const [first, second, third] = store.listTrials(id);
    store.finishTrial(first!.id, doneResult(0.9));
    store.markTrialRunning(second!.id);
    store.markTrialRunning(third!.id);
    store.markTrialCancelled(third!.id);
    expect(store.listEpochs(id)).toHaveLength(3);
    store.resetUnfinishedTrials(id);
    const after = store.listTrials(id);
    expect(after[0]).toMatchObject({ status: 'done', testAccuracy: 0.9, bestEpoch: 2 });
    expect(after[1]!.status).toBe('pending');
    expect(after[2]!.status).toBe('pending');
    expect(store.requireSuite(id).trialsDone).toBe(1);
  });

  it('stores a diverged loss as empty, not as a number', () => {
    const { store } = freshStore();
    const id = createQuick(store);
    const trial = store.listTrials(id)[0]!;
    const result = doneResult(0.1);
    store.finishTrial(trial.id, { ...result, status: 'diverged', testLoss: Number.NaN });
    expect(store.getTrial(trial.id)!.testLoss).toBeNull();
  });

  it('says which suite id does not exist', () => {
    const { store } = freshStore();
    expect(() => store.requireSuite(42)).toThrow(/no suite with id 42/);
  });
});
