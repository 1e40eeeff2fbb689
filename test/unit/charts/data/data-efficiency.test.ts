import { describe, expect, it } from 'vitest';
import { accuracyInterval } from '../../../../benchmarks/analysis/accuracy-interval.js';
import { dataEfficiencySeries } from '../../../../benchmarks/charts/data/data-efficiency.js';
import { seedTrials, trialRecord } from '../../../support/records.js';

describe('dataEfficiencySeries', () => {
  const trials = [
    ...seedTrials('finetune', 100, [0.8, 0.9]),
    ...seedTrials('scratch', 100, [0.5, 0.7]),
    ...seedTrials('scratch', 10, [0.2, 0.3, 0.4]),
    ...seedTrials('finetune', 10, [0.6]),
    trialRecord({ approach: 'scratch', trainSize: 10, seed: 7, status: 'failed', testAccuracy: null }),
    trialRecord({ approach: 'scratch', trainSize: 10, seed: 8, status: 'diverged', testAccuracy: 0.1 }),
    trialRecord({ approach: 'linear-probe', trainSize: 10, seed: 0, status: 'running', testAccuracy: null }),
  ];

  it('groups done trials by approach (in approach order) and size (increasing)', () => {
    const series = dataEfficiencySeries(trials, 'testAccuracy', 'ci95');
    expect(series.map((s) => s.approach)).toEqual(['scratch', 'finetune']);
    expect(series.map((s) => s.points.map((p) => [p.trainSize, p.n]))).toEqual([
      [
        [10, 3],
        [100, 2],
      ],
      [
        [10, 1],
        [100, 2],
      ],
    ]);
  });

  it('takes the mean over seeds with a 95% interval, leaving out failed and diverged trials', () => {
    const scratch10 = dataEfficiencySeries(trials, 'testAccuracy', 'ci95')[0]!.points[0]!;
    expect(scratch10.mean).toBeCloseTo(0.3, 12);
    // the analysis' interval for accuracy (seeds, and the test set's noise when its size is known; logit scale)
    const interval = accuracyInterval([0.2, 0.3, 0.4], null);
    expect(scratch10.low).toBeCloseTo(interval.low, 12);
    expect(scratch10.high).toBeCloseTo(interval.high, 12);
    expect(scratch10.low).toBeLessThan(0.3);
    expect(scratch10.high).toBeGreaterThan(0.3);
    expect(scratch10.seeds.map((s) => [s.seed, s.value])).toEqual([
      [0, 0.2],
      [1, 0.3],
      [2, 0.4],
    ]);
  });

  it('uses min–max bands, and accuracy intervals that stay inside [0, 1] without clipping', () => {
    const [scratch, finetune] = dataEfficiencySeries(trials, 'testAccuracy', 'minmax');
    expect(scratch!.points[1]).toMatchObject({ mean: 0.6, low: 0.5, high: 0.7 });
    expect(finetune!.points[0]).toMatchObject({ n: 1, mean: 0.6, low: 0.6, high: 0.6 });
    // finetune at 100: 0.8, 0.9. A t-interval on the raw scale (half-width 12.706·0.0707/√2 = 0.635) would cross 1 and
    // be clipped; on the logit scale it stays below 1 and is asymmetric
    const ci = dataEfficiencySeries(trials, 'testAccuracy', 'ci95')[1]!.points[1]!;
    expect(ci.high).toBeLessThan(1);
    expect(ci.high - 0.85).toBeLessThan(0.85 - ci.low);
  });

  it('plots test loss when asked', () => {
    const [scratch] = dataEfficiencySeries(trials, 'testLoss', 'minmax');
    // losses are 1 − accuracy in the factory: 0.8, 0.7, 0.6
    expect(scratch!.points[0]!.mean).toBeCloseTo(0.7, 12);
  });

  it('returns nothing for no finished trials', () => {
    expect(
      dataEfficiencySeries([trialRecord({ status: 'pending', testAccuracy: null })], 'testAccuracy', 'ci95'),
    ).toEqual([]);
  });
});
