import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppShell, LIST_REFRESH_MS } from '../../../../renderer/src/lib/state/app-state.svelte.js';
import { INFO_NOTICE_MS, Notices } from '../../../../renderer/src/lib/state/notices.svelte.js';
import { suiteRecord, trialRecord } from '../../../support/records.js';
import { preferences } from '../../../../renderer/src/lib/state/preferences.svelte.js';
import { FakeEngine, settle } from './fake-transport.js';

describe('AppShell', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reloads the list and the open suite after the event stream reconnects, not on the first connection', async () => {
    const engine = new FakeEngine(suiteRecord({ id: 4, status: 'running' }));
    const shell = new AppShell(engine.transport);
    const stop = shell.connect();
    shell.show({ view: 'suite', suiteId: 4 });
    await settle();
    const before = { list: engine.count('listSuites'), suite: engine.count('getSuite') };

    engine.status('open');
    await settle();
    expect(engine.count('getSuite')).toBe(before.suite);

    engine.status('reconnecting');
    engine.status('open');
    await settle();
    expect(shell.stream).toBe('open');
    expect(engine.count('listSuites')).toBe(before.list + 1);
    expect(engine.count('getSuite')).toBe(before.suite + 1);

    // A repeated 'open' without a drop in between is not a reconnect.
    engine.status('open');
    await settle();
    expect(engine.count('getSuite')).toBe(before.suite + 1);
    stop();
  });

  it('passes run events to the open suite and reloads the list once for a burst of finished trials', async () => {
    const suite = suiteRecord({ id: 2, status: 'running' });
    const engine = new FakeEngine(suite);
    engine.suites = [suite];
    const shell = new AppShell(engine.transport);
    const stop = shell.connect();
    shell.show({ view: 'suite', suiteId: 2 });
    await settle();
    const lists = engine.count('listSuites');

    for (const id of [1, 2, 3]) {
      engine.emit({ type: 'trial-finished', suiteId: 2, trial: trialRecord({ id, suiteId: 2 }) });
    }
    expect(shell.open?.trials.map((t) => t.id)).toEqual([1, 2, 3]);
    vi.advanceTimersByTime(LIST_REFRESH_MS);
    await settle();
    expect(engine.count('listSuites')).toBe(lists + 1);
    stop();
  });

  it('patches the listed suite when its run starts', async () => {
    const engine = new FakeEngine(suiteRecord({ id: 8, status: 'pending' }));
    engine.suites = [engine.suite];
    const shell = new AppShell(engine.transport);
    const stop = shell.connect();
    await shell.loadSuites();
    engine.emit({ type: 'suite-started', suiteId: 8, total: 12, finished: 3 });
    expect(shell.suites?.[0]).toMatchObject({ status: 'running', trialsTotal: 12, trialsFinished: 3 });
    stop();
  });
});

describe('Notices', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets info notices go by themselves and keeps errors until dismissed', () => {
    vi.useFakeTimers();
    const notices = new Notices();
    notices.notify('info', 'Saved');
    notices.notify('error', 'Failed', 'disk full');
    expect(notices.items.map((n) => n.title)).toEqual(['Saved', 'Failed']);
    vi.advanceTimersByTime(INFO_NOTICE_MS);
    expect(notices.items.map((n) => n.title)).toEqual(['Failed']);
    notices.dismiss(notices.items[0]!.id);
    expect(notices.items).toEqual([]);
  });

  it("holds a saved worker count to the engine's limit when it starts a suite", async () => {
    vi.stubGlobal('location', { hash: '' });
    const engine = new FakeEngine(suiteRecord({ id: 3 }));
    const shell = new AppShell(engine.transport);
    const saved = preferences.workers;
    try {
      preferences.workers = 8;
      await shell.startSuite({ kind: 'builtin', name: 'quick' }, 'quick');
      await shell.loadLimits();
      expect(shell.limits).toEqual({ maxWorkers: 2 });
      await shell.startSuite({ kind: 'builtin', name: 'quick' }, 'quick');
      expect(engine.calls.filter((c) => c.startsWith('startSuite'))).toEqual([
        'startSuite:workers=8',
        'startSuite:workers=2',
      ]);
    } finally {
      preferences.workers = saved;
      vi.unstubAllGlobals();
    }
  });

  it("measures a built-in suite's estimate before starting it, and the run view opens with it", async () => {
    vi.stubGlobal('location', { hash: '' });
    const engine = new FakeEngine(suiteRecord({ id: 3, status: 'running' }));
    const estimate = {
      seconds: 300,
      lowSeconds: 70,
      trials: 24,
      workers: 2,
      pretrainSeconds: 4,
      samplesPerSecond: 900,
      backend: 'wasm',
      basis: 'basis: 900 training samples/s per worker',
    };
    engine.builtinEstimate = { estimate, none: null };
    const shell = new AppShell(engine.transport);
    try {
      await shell.startBuiltin('quick');
      await settle();
      // the estimate first, then the run
      expect(engine.calls.filter((c) => c.startsWith('estimateBuiltinSuite') || c.startsWith('startSuite'))).toEqual([
        'estimateBuiltinSuite:quick',
        'startSuite:workers=default',
      ]);
      expect(shell.builtinEstimates.get('quick')).toEqual({ estimate, none: null });
      expect(shell.estimating).toBeNull();
      shell.show({ view: 'suite', suiteId: 3 });
      await settle();
      expect(shell.open?.startEstimate).toEqual(estimate);

      // no estimate (the engine says why): the suite starts all the same, without one
      engine.builtinEstimate = { estimate: null, none: 'an adaptive suite chooses its trials as it runs' };
      await shell.startBuiltin('mnist-split');
      expect(engine.count('startSuite:workers=default')).toBe(2);
      expect(shell.builtinEstimates.get('mnist-split')?.none).toMatch(/adaptive/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
