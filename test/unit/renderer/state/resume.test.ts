import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestOf } from '../../../../benchmarks/contract.js';
import type { TrialStatus } from '../../../../benchmarks/domain.js';
import { AppShell } from '../../../../renderer/src/lib/state/app-state.svelte.js';
import { routeHref } from '../../../../renderer/src/lib/state/route.js';
import { isHeldByAnotherRun, resumeChoice, resumeLabel } from '../../../../renderer/src/lib/state/resume-choice.js';
import { suiteRecord, trialRecord } from '../../../support/records.js';
import { FakeEngine, settle } from './fake-transport.js';

/** The store's refusal (store/store.ts claimSuite) as it reaches the app. */
const HELD =
  'suite 3 is already being run (pid 4242 on lab-2, started 2026-11-30 08:00); cancel that run first, or take it over with `transfer-bench resume 3 --force` if it is stuck';

describe('resumeChoice and resumeLabel', () => {
  const trials = (...statuses: TrialStatus[]) => statuses.map((status, i) => trialRecord({ id: i + 1, status }));

  it('offers "Retry failed trials" only for a suite with failed trials that is not running', () => {
    const choice = resumeChoice('cancelled', trials('done', 'failed', 'pending', 'failed', 'cancelled', 'diverged'));
    expect(choice).toEqual({ unfinished: 2, failed: 2, canRetryFailed: true });
    expect(resumeLabel(choice, false)).toBe('Resume (2 left)');
    expect(resumeLabel(choice, true)).toBe('Resume (2 left + 2 failed)');
    expect(resumeChoice('running', trials('failed', 'running')).canRetryFailed).toBe(false);
    expect(resumeChoice('done', trials('done', 'diverged')).canRetryFailed).toBe(false);
  });

  it('a complete suite with failed trials resumes only to retry them', () => {
    const choice = resumeChoice('done', trials('done', 'failed'));
    expect(resumeLabel(choice, false)).toBeNull();
    expect(resumeLabel(choice, true)).toBe('Retry 1 failed');
  });

  it('tells the refusal that force answers from the one it does not', () => {
    expect(isHeldByAnotherRun(HELD)).toBe(true);
    expect(isHeldByAnotherRun('suite 3 is already running here; cancel that run first')).toBe(false);
    expect(isHeldByAnotherRun('suite 3 is already complete: nothing to resume')).toBe(false);
  });
});

describe('AppShell: resume with retryFailed and force', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('location', { hash: '' });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const shownSuite = () => (globalThis.location as { hash: string }).hash;

  function setup(status: 'cancelled' | 'running' = 'cancelled') {
    const engine = new FakeEngine(suiteRecord({ id: 3, status }));
    engine.suites = [engine.suite];
    const requests: RequestOf<'resumeSuite'>[] = [];
    let refuse = true;
    engine.client.resumeSuite = async (request) => {
      requests.push(request);
      if (refuse && !request.force) throw new Error(HELD);
      return { suiteId: 3 };
    };
    const shell = new AppShell(engine.transport);
    return { engine, shell, requests, allow: () => (refuse = false) };
  }

  it('passes retryFailed through', async () => {
    const { shell, requests, allow } = setup();
    allow();
    await shell.resumeSuite(3, { retryFailed: true });
    expect(requests).toEqual([{ suiteId: 3, retryFailed: true, force: false }]);
    expect(shell.takeOver).toBeNull();
    expect(shownSuite()).toBe(routeHref({ view: 'suite', suiteId: 3 }));
  });

  it('a resume refused because another live run holds the suite offers a take-over, which asks before forcing', async () => {
    const { shell, requests } = setup();
    await shell.resumeSuite(3, { retryFailed: true });
    expect(shell.notices.items).toEqual([]);
    expect(shell.takeOver).toEqual({ suiteId: 3, message: HELD, retryFailed: true, confirming: false });

    // Nothing is forced before the user confirms.
    await shell.confirmTakeOver();
    expect(requests).toHaveLength(1);
    shell.askTakeOver();
    expect(shell.takeOver?.confirming).toBe(true);
    await shell.confirmTakeOver();
    expect(requests).toEqual([
      { suiteId: 3, retryFailed: true, force: false },
      { suiteId: 3, retryFailed: true, force: true },
    ]);
    expect(shell.takeOver).toBeNull();
    expect(shownSuite()).toBe(routeHref({ view: 'suite', suiteId: 3 }));
  });

  it('dismissing the offer forces nothing', async () => {
    const { shell, requests } = setup();
    await shell.resumeSuite(3);
    shell.askTakeOver();
    shell.dismissTakeOver();
    await shell.confirmTakeOver();
    expect(shell.takeOver).toBeNull();
    expect(requests).toHaveLength(1);
  });

  it('other refusals are error notices without a take-over', async () => {
    const { engine, shell } = setup();
    engine.client.resumeSuite = async () => {
      throw new Error('suite 3 is already running here; cancel that run first');
    };
    await shell.resumeSuite(3);
    expect(shell.takeOver).toBeNull();
    expect(shell.notices.items).toMatchObject([
      {
        kind: 'error',
        title: 'Could not resume suite #3',
        detail: 'suite 3 is already running here; cancel that run first',
      },
    ]);
  });

  it('cancelling a suite that another process runs offers the take-over instead of "nothing to cancel"', async () => {
    const { engine, shell, requests } = setup('running');
    engine.client.cancelSuite = async () => ({ cancelled: false });
    await shell.loadSuites();
    await shell.cancelSuite(3);
    await settle();
    expect(shell.notices.items).toEqual([]);
    expect(shell.takeOver).toMatchObject({ suiteId: 3, confirming: false, retryFailed: false });
    expect(shell.takeOver?.message).toContain('not run by this app but by another process');
    shell.askTakeOver();
    await shell.confirmTakeOver();
    expect(requests).toEqual([{ suiteId: 3, retryFailed: false, force: true }]);
    expect(shell.notices.items).toEqual([]);

    // A suite that is not running at all: nothing to cancel, nothing to take over.
    engine.suite = suiteRecord({ id: 3, status: 'cancelled' });
    engine.suites = [engine.suite];
    await shell.cancelSuite(3);
    expect(shell.takeOver).toBeNull();
    expect(shell.notices.items).toMatchObject([{ kind: 'info', title: 'Nothing to cancel' }]);
  });
});
