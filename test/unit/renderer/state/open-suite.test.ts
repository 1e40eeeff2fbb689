import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../../../benchmarks/contract.js';
import type { TrialRecord } from '../../../../benchmarks/domain.js';
import {
  EPOCH_FLUSH_MS,
  OpenSuite,
  QUIET_RUN_RELOAD_MS,
  mergeTrials,
} from '../../../../renderer/src/lib/state/open-suite.svelte.js';
import { epochRow, suiteRecord, trialRecord } from '../../../support/records.js';
import { FakeEngine, Gate, settle } from './fake-transport.js';

function epochEvent(trial: TrialRecord, epoch: number): RunEvent {
  const row = epochRow(trial, epoch);
  const { trialId, approach, trainSize, seed, ...record } = row;
  return {
    type: 'trial-epoch',
    suiteId: trial.suiteId,
    trialId,
    key: { approach, trainSize, seed },
    maxEpochs: 5,
    record,
  };
}

function opened(engine: FakeEngine): OpenSuite {
  return new OpenSuite(engine.suite.id, { client: engine.client, tolerance: () => 0.01 });
}

describe('mergeTrials', () => {
  it('keeps a trial the events finished when the loaded copy is older, and otherwise takes the loaded one', () => {
    const finishedByEvent = trialRecord({ id: 1, status: 'done', testAccuracy: 0.9 });
    const runningByEvent = trialRecord({ id: 2, status: 'running' });
    const loaded = [
      trialRecord({ id: 1, status: 'running', testAccuracy: null }),
      trialRecord({ id: 2, status: 'failed', error: 'boom' }),
      trialRecord({ id: 3, status: 'pending' }),
    ];
    const merged = mergeTrials([finishedByEvent, runningByEvent], loaded);
    expect(merged.map((t) => [t.id, t.status])).toEqual([
      [1, 'done'],
      [2, 'failed'],
      [3, 'pending'],
    ]);
    expect(merged[0]).toBe(finishedByEvent);
  });
});

describe('OpenSuite', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('merges on reload: a trial that finished while the reload was in flight stays finished', async () => {
    const suite = suiteRecord({ id: 7, status: 'running', trialsTotal: 2 });
    const engine = new FakeEngine(suite);
    const a = trialRecord({ id: 1, suiteId: 7, status: 'running', testAccuracy: null });
    const b = trialRecord({ id: 2, suiteId: 7, status: 'pending', testAccuracy: null });
    engine.trials = [a, b];
    const open = opened(engine);
    await open.load();
    expect(open.suite?.trialsFinished).toBe(0);

    // The server reads the suite (trial 1 still running), then the event that trial 1 finished arrives first.
    engine.holdGetSuite = new Gate<void>();
    const gate = engine.holdGetSuite;
    const reload = open.load();
    await settle();
    open.apply({ type: 'trial-finished', suiteId: 7, trial: { ...a, status: 'done', testAccuracy: 0.8 } });
    gate.resolve();
    await reload;

    expect(open.trials.find((t) => t.id === 1)?.status).toBe('done');
    expect(open.trials.find((t) => t.id === 1)?.testAccuracy).toBe(0.8);
    expect(open.suite?.trialsFinished).toBe(1);
    open.dispose();
  });

  it('reloads a running suite it gets no events for (run by another process) until it ends, and not while events come', async () => {
    const suite = suiteRecord({ id: 5, status: 'running', trialsTotal: 2 });
    const engine = new FakeEngine(suite);
    const t = trialRecord({ id: 1, suiteId: 5, status: 'running', testAccuracy: null });
    engine.trials = [t, trialRecord({ id: 2, suiteId: 5, status: 'pending', testAccuracy: null })];
    const open = opened(engine);
    await open.load();
    const loads = () => engine.calls.filter((c) => c === 'getSuite').length;
    expect(loads()).toBe(1);

    // Events arrive (this app runs it): no reload.
    await vi.advanceTimersByTimeAsync(QUIET_RUN_RELOAD_MS - 100);
    open.apply({ type: 'trial-started', suiteId: 5, trialId: 2, key: t, maxEpochs: 5 });
    await vi.advanceTimersByTimeAsync(200);
    expect(loads()).toBe(1);

    // Quiet: the other process finished a trial; the reload shows it.
    engine.trials = [{ ...t, status: 'done', testAccuracy: 0.9 }, engine.trials[1]!];
    await vi.advanceTimersByTimeAsync(QUIET_RUN_RELOAD_MS);
    expect(loads()).toBe(2);
    expect(open.suite?.trialsFinished).toBe(1);

    // Ended: one more reload sees it, then no more.
    engine.suite = { ...suite, status: 'done' };
    await vi.advanceTimersByTimeAsync(QUIET_RUN_RELOAD_MS);
    expect(loads()).toBe(3);
    expect(open.suite?.status).toBe('done');
    await vi.advanceTimersByTimeAsync(QUIET_RUN_RELOAD_MS * 5);
    expect(loads()).toBe(3);
    open.dispose();
  });

  it('clears the live rows and pretraining a run elsewhere left on screen once a reload finds the suite ended', async () => {
    const suite = suiteRecord({ id: 6, status: 'running' });
    const engine = new FakeEngine(suite);
    const open = opened(engine);
    await open.load();
    open.apply({ type: 'pretrain-epoch', suiteId: 6, epoch: 1, epochs: 1, loss: 0.3, accuracy: 0.9 });
    expect(open.pretrain).not.toBeNull();
    engine.suite = { ...suite, status: 'done' };
    await open.load();
    expect(open.pretrain).toBeNull();
    expect(open.live).toEqual([]);
    open.dispose();
  });

  it('batches live epoch rows and flushes them at once when a trial finishes', async () => {
    const engine = new FakeEngine(suiteRecord({ id: 3, status: 'running' }));
    const open = opened(engine);
    await open.load();
    expect(open.curveSize).toBe(10);
    const t = trialRecord({ id: 11, suiteId: 3, trainSize: 10, status: 'running' });
    const other = trialRecord({ id: 12, suiteId: 3, trainSize: 100, status: 'running' });

    open.apply({ type: 'trial-started', suiteId: 3, trialId: t.id, key: t, maxEpochs: 5 });
    open.apply(epochEvent(t, 1));
    open.apply(epochEvent(t, 2));
    open.apply(epochEvent(other, 1));
    // Not drawn yet: rows wait for the batch.
    expect(open.epochs).toEqual([]);
    expect(open.live.map((l) => [l.trialId, l.record?.epoch])).toEqual([
      [11, 2],
      [12, 1],
    ]);

    open.apply({ type: 'trial-finished', suiteId: 3, trial: { ...t, status: 'done' } });
    // Flushed by the finish, without waiting for the timer; only the rows of the size on screen.
    expect(open.epochs.map((r) => [r.trialId, r.epoch])).toEqual([
      [11, 1],
      [11, 2],
    ]);
    expect(open.live.map((l) => l.trialId)).toEqual([12]);
    open.dispose();
  });

  it('flushes queued rows after the batch interval while trials keep running', async () => {
    const engine = new FakeEngine(suiteRecord({ id: 3, status: 'running' }));
    const open = opened(engine);
    await open.load();
    const t = trialRecord({ id: 21, suiteId: 3, trainSize: 10, status: 'running' });
    open.apply(epochEvent(t, 1));
    vi.advanceTimersByTime(EPOCH_FLUSH_MS - 1);
    expect(open.epochs).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(open.epochs).toHaveLength(1);
    open.dispose();
  });

  it('ignores events of other suites and, once disposed, answers still in flight', async () => {
    const engine = new FakeEngine(suiteRecord({ id: 5, status: 'running' }));
    const open = opened(engine);
    await open.load();
    open.apply({ type: 'pretrain-started', suiteId: 6, cacheKey: 'k', epochs: 3 });
    expect(open.pretrain).toBeNull();
    open.apply({ type: 'pretrain-started', suiteId: 5, cacheKey: 'k', epochs: 3 });
    expect(open.pretrain).toEqual({ epoch: 0, epochs: 3, loss: null, accuracy: null });

    engine.holdGetSuite = new Gate<void>();
    const gate = engine.holdGetSuite;
    engine.suite = { ...engine.suite, status: 'done' };
    const reload = open.load();
    open.dispose();
    gate.resolve();
    await reload;
    expect(open.suite?.status).toBe('running');
  });

  it('marks the suite finished and reloads it when the suite-finished event arrives', async () => {
    const engine = new FakeEngine(suiteRecord({ id: 9, status: 'running' }));
    const open = opened(engine);
    await open.load();
    expect(engine.count('getSuite')).toBe(1);
    open.apply({ type: 'suite-finished', suiteId: 9, status: 'cancelled', error: null });
    expect(open.suite?.status).toBe('cancelled');
    expect(open.live).toEqual([]);
    await settle();
    expect(engine.count('getSuite')).toBe(2);
    open.dispose();
  });
});
