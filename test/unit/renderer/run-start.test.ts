import { describe, expect, it } from 'vitest';
import { runStartMs } from '../../../renderer/src/lib/progress/run-start.js';
import { trialRecord } from '../../support/records.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, 0) + minutes * 60_000).toISOString();
const ms = (minutes: number) => Date.parse(at(minutes));

describe('when the current run started, from stored trials (a reloaded page)', () => {
  it('is the suite creation for a run that never paused, not the oldest running trial', () => {
    const trials = [
      trialRecord({ startedAt: at(1), finishedAt: at(2) }),
      trialRecord({ startedAt: at(2), finishedAt: at(3.5) }),
      trialRecord({ startedAt: at(3.5), finishedAt: null, status: 'running' }),
      trialRecord({ startedAt: null, finishedAt: null, status: 'pending' }),
    ];
    expect(runStartMs(at(0), trials, ms(4))).toBe(ms(0));
  });

  it('is the first trial after the last pause of a resumed suite', () => {
    const trials = [
      trialRecord({ startedAt: at(1), finishedAt: at(2) }),
      trialRecord({ startedAt: at(2), finishedAt: at(3), status: 'cancelled' }),
      trialRecord({ startedAt: at(600), finishedAt: at(601) }),
      trialRecord({ startedAt: at(601), finishedAt: null, status: 'running' }),
    ];
    expect(runStartMs(at(0), trials, ms(602))).toBe(ms(600));
  });

  it('is the creation before any trial started (pretraining)', () => {
    expect(runStartMs(at(0), [trialRecord({ startedAt: null, finishedAt: null, status: 'pending' })], ms(5))).toBe(
      ms(0),
    );
  });
});
