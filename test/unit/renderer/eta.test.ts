import { describe, expect, it } from 'vitest';
import { estimateRemainingSeconds, expectedTrialSeconds } from '../../../renderer/src/lib/progress/eta.js';
import { trialRecord } from '../../support/records.js';

describe('ETA from finished trials', () => {
  const finished = [
    trialRecord({ id: 1, approach: 'scratch', trainSize: 10, wallSeconds: 10 }),
    trialRecord({ id: 2, approach: 'scratch', trainSize: 10, wallSeconds: 20 }),
    trialRecord({ id: 3, approach: 'finetune', trainSize: 10, wallSeconds: 4, status: 'failed' }),
  ];
  const pending = [
    trialRecord({ id: 4, approach: 'scratch', trainSize: 10, status: 'pending' }),
    trialRecord({ id: 5, approach: 'finetune', trainSize: 100, status: 'pending' }),
    trialRecord({ id: 6, approach: 'scratch', trainSize: 100, status: 'pending' }),
  ];
  const running = trialRecord({ id: 7, approach: 'finetune', trainSize: 10, status: 'running' });

  it('expects the mean of the same approach and size, else the same size, else all', () => {
    expect(expectedTrialSeconds(finished, 'scratch', 10)).toBe(15);
    expect(expectedTrialSeconds(finished, 'partial', 10)).toBeCloseTo(34 / 3, 12);
    expect(expectedTrialSeconds(finished, 'finetune', 100)).toBeCloseTo(34 / 3, 12);
    expect(expectedTrialSeconds([], 'scratch', 10)).toBeNull();
  });

  it('adds up what is left and divides by the trials in flight', () => {
    const now = 1_000_000;
    const inFlight = [{ trialId: 7, approach: 'finetune' as const, trainSize: 10, startedAtMs: now - 3000 }];
    // 15 + 34/3 + 34/3 for the pending trials, and 4 − 3 = 1 for the one in flight
    const all = [...finished, ...pending, running];
    expect(estimateRemainingSeconds(all, inFlight, now)).toBeCloseTo(16 + 68 / 3, 9);
    const two = [...inFlight, { trialId: 4, approach: 'scratch' as const, trainSize: 10, startedAtMs: now }];
    // trial 4 now in flight: 15 − 0 remains for it, same total, shared by two
    expect(estimateRemainingSeconds(all, two, now)).toBeCloseTo((16 + 68 / 3) / 2, 9);
  });

  it('is unknown before anything finished and 0 when nothing is left', () => {
    expect(estimateRemainingSeconds(pending, [], 0)).toBeNull();
    expect(estimateRemainingSeconds(finished, [], 0)).toBe(0);
  });

  it('times a trial of another size by its budget, at what finished trials took per unit of work', () => {
    // work proportional to size: 10-example trials took 34/3 s on average over 30 units
    const work = (_approach: string, trainSize: number) => trainSize;
    expect(expectedTrialSeconds(finished, 'scratch', 10, work)).toBe(15); // the same approach and size first
    expect(expectedTrialSeconds(finished, 'finetune', 100, work)).toBeCloseTo((34 / 30) * 100, 9);
  });
});
