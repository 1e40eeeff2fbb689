import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SuiteComparison } from '../../../../benchmarks/contract.js';
import { AppShell } from '../../../../renderer/src/lib/state/app-state.svelte.js';
import { parseRoute, routeHref } from '../../../../renderer/src/lib/state/route.js';
import { suiteRecord } from '../../../support/records.js';
import { FakeEngine, settle } from './fake-transport.js';

describe('the compare route', () => {
  it('reads #/compare/<ids> with two to eight distinct ids, in the order given, and writes it back', () => {
    expect(parseRoute('#/compare/3,1')).toEqual({ view: 'compare', suiteIds: [3, 1] });
    expect(routeHref({ view: 'compare', suiteIds: [3, 1] })).toBe('#/compare/3,1');
    expect(parseRoute('#/compare/1,2,3,4,5,6,7,8').view).toBe('compare');
    for (const bad of [
      '#/compare/1',
      '#/compare/1,1',
      '#/compare/1,2,3,4,5,6,7,8,9',
      '#/compare/0,2',
      '#/compare/a,b',
    ]) {
      expect(parseRoute(bad), bad).toEqual({ view: 'suites' });
    }
    expect(parseRoute('#/suites/4')).toEqual({ view: 'suite', suiteId: 4 });
  });
});

describe('the compare view’s state', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const comparison = {
    suites: [],
    target: 'MNIST',
    tolerance: 0.01,
    differences: ['source'],
  } as unknown as SuiteComparison;

  it('loads the comparison once per set of ids and forgets it when the user leaves the view', async () => {
    const engine = new FakeEngine(suiteRecord());
    engine.comparison = comparison;
    const shell = new AppShell(engine.transport);
    shell.show({ view: 'compare', suiteIds: [2, 5] });
    await settle();
    expect(shell.compared?.comparison).toBe(comparison);
    expect(shell.compared?.error).toBeNull();
    shell.show({ view: 'compare', suiteIds: [2, 5] });
    await settle();
    expect(engine.count('compareSuites:2,5')).toBe(1);
    shell.show({ view: 'suites' });
    expect(shell.compared).toBeNull();
  });

  it('shows the engine’s refusal, and saves the combined CSV where the host saves files, saying where', async () => {
    const engine = new FakeEngine(suiteRecord());
    engine.comparison = new Error('cannot compare: suite 5 (quick) is still running (3 of 12 trials finished)');
    const shell = new AppShell(engine.transport);
    shell.show({ view: 'compare', suiteIds: [2, 5] });
    await settle();
    expect(shell.compared?.comparison).toBeNull();
    expect(shell.compared?.error).toBe('cannot compare: suite 5 (quick) is still running (3 of 12 trials finished)');

    engine.comparison = comparison;
    await shell.compared!.load();
    expect(shell.compared?.error).toBeNull();
    await shell.compared!.exportCsv();
    expect(engine.saved.map((files) => files.map((f) => f.name))).toEqual([['compare-2-5-summary.csv']]);
    expect(shell.notices.items.at(-1)).toMatchObject({
      kind: 'info',
      detail: 'compare-2-5-summary.csv → the test folder',
    });
    expect(shell.compared?.exporting).toBe(false);
    await shell.compared!.downloadReport('html');
    expect(engine.saved.at(-1)!.map((f) => f.name)).toEqual(['transfer-bench-compare-2-5.html']);
    expect(shell.notices.items.at(-1)).toMatchObject({
      kind: 'info',
      title: 'Saved the report transfer-bench-compare-2-5.html',
    });
  });
});
