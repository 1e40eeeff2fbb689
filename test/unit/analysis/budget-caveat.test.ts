import { describe, expect, it } from 'vitest';
import { buildCaveats, stillImprovingTrials } from '../../../benchmarks/analysis/caveats.js';
import { trial } from '../../support/records.js';

describe('trials still improving when the budget ran out', () => {
  const trials = [
    trial('linear-probe', 100, 0.7, { epochs: 20, bestEpoch: 20 }),
    trial('linear-probe', 200, 0.75, { epochs: 20, bestEpoch: 20, seed: 1 }),
    trial('linear-probe', 400, 0.8, { epochs: 20, bestEpoch: 14 }),
    trial('scratch', 100, 0.8, { epochs: 16, bestEpoch: 11 }),
    trial('scratch', 200, null, { epochs: 3, bestEpoch: 3, status: 'failed' }),
    // k-fold: the final run trains exactly the chosen steps, so its last epoch is its best by construction
    trial('linear-probe', 50, 0.6, {
      epochs: 12,
      bestEpoch: 12,
      seed: 2,
      protocol: { kind: 'kfold', folds: 5, chosenSteps: 200, examples: 50 },
    }),
  ];

  it('are the done trials with a held-out split whose best evaluation was their last (never k-fold ones)', () => {
    expect(stillImprovingTrials(trials).map((t) => [t.approach, t.trainSize])).toEqual([
      ['linear-probe', 100],
      ['linear-probe', 200],
    ]);
  });

  it('become one caveat naming the approach and the count', () => {
    const caveats = buildCaveats({
      seeds: 3,
      accuracy: [],
      comparisons: [],
      incomplete: [],
      trials,
      wideInterval: 0.1,
    });
    const budget = caveats.filter((c) => c.startsWith('Still improving'));
    expect(budget).toHaveLength(1);
    expect(budget[0]).toContain('in 2 of 3 done trials with a held-out split');
    expect(budget[0]).not.toContain('scratch');
  });
});
