import { describe, expect, it } from 'vitest';
import { summarize } from '../../../benchmarks/analysis/summary-stats.js';
import { trial, trials } from '../../support/records.js';

describe('summarize', () => {
  it('computes mean, sample std and, for accuracy, the 95% interval on the logit scale by hand', () => {
    // 0.5, 0.6, 0.7: mean 0.6, s = 0.1; logit(0.6) ± 4.3027 · (0.1/√3) / (0.6 · 0.4) = 0.405465 ± 1.035063
    const [g] = summarize(trials('finetune', 50, [0.5, 0.6, 0.7]), 'testAccuracy');
    expect(g).toBeDefined();
    expect(g!.n).toBe(3);
    expect(g!.mean).toBeCloseTo(0.6, 12);
    expect(g!.std).toBeCloseTo(0.1, 12);
    const expit = (x: number) => 1 / (1 + Math.exp(-x));
    expect(g!.ciLow).toBeCloseTo(expit(0.405465 - 1.035063), 4);
    expect(g!.ciHigh).toBeCloseTo(expit(0.405465 + 1.035063), 4);
    expect(g!.min).toBe(0.5);
    expect(g!.max).toBe(0.7);
  });

  it('keeps an accuracy interval inside (0, 1) without clipping, and clips a loss or time interval at 0', () => {
    // 0.8, 0.9, 1.0: a t-interval would be 0.9 ± 0.24841, above 100%; on the logit scale the top stays below 1
    const [high] = summarize(trials('finetune', 50, [0.8, 0.9, 1.0]), 'testAccuracy');
    expect(high!.ciHigh).toBeLessThan(1);
    expect(high!.ciHigh).toBeGreaterThan(0.95);
    expect(high!.ciLow).toBeGreaterThan(0);
    // with the test set counted (500 examples), 100% on every seed still has an interval below 100%
    const [perfect] = summarize(trials('finetune', 50, [1, 1, 1]), 'testAccuracy', 500);
    expect(perfect!.ciHigh).toBeLessThan(1);
    expect(perfect!.ciLow).toBeGreaterThan(0.98);
    const [both] = summarize(trials('scratch', 10, [0.02, 0.5]), 'testAccuracy');
    expect(both!.ciLow).toBeGreaterThan(0);
    expect(both!.ciHigh).toBeLessThan(1);
    const spread = [
      trial('scratch', 10, 0.5, { wallSeconds: 1 }),
      trial('scratch', 10, 0.5, { wallSeconds: 9, seed: 1 }),
    ];
    const [time] = summarize(spread, 'wallSeconds');
    expect(time!.ciLow).toBe(0);
    expect(time!.ciHigh).toBeCloseTo(5 + 12.7062 * 4, 3);
  });

  it('with one seed: std 0 and a degenerate interval, flagged by n = 1', () => {
    const [g] = summarize([trial('scratch', 10, 0.42)], 'testAccuracy');
    expect(g).toEqual({
      approach: 'scratch',
      trainSize: 10,
      n: 1,
      mean: 0.42,
      std: 0,
      ciLow: 0.42,
      ciHigh: 0.42,
      min: 0.42,
      max: 0.42,
    });
  });

  it('ignores failed, diverged and cancelled trials, and null values', () => {
    const input = [
      trial('scratch', 10, 0.5, { seed: 0 }),
      trial('scratch', 10, 0.7, { seed: 1 }),
      trial('scratch', 10, 0.99, { seed: 2, status: 'failed' }),
      trial('scratch', 10, 0.01, { seed: 3, status: 'diverged' }),
      trial('scratch', 10, 0.3, { seed: 4, status: 'cancelled' }),
      trial('scratch', 10, null, { seed: 5, status: 'cancelled' }),
      trial('scratch', 10, null, { seed: 6 }),
      trial('scratch', 25, null, { seed: 0 }),
    ];
    const groups = summarize(input, 'testAccuracy');
    expect(groups).toHaveLength(1);
    expect(groups[0]!.n).toBe(2);
    expect(groups[0]!.mean).toBeCloseTo(0.6, 12);
    // s = √(0.02); on the logit scale 0.405465 ± 12.7062 · 0.1 / 0.24: wide, but inside (0, 1)
    const expit = (x: number) => 1 / (1 + Math.exp(-x));
    expect(groups[0]!.ciLow).toBeCloseTo(expit(0.405465 - (12.7062 * 0.1) / 0.24), 4);
    expect(groups[0]!.ciHigh).toBeCloseTo(expit(0.405465 + (12.7062 * 0.1) / 0.24), 4);
  });

  it('summarises any metric and sorts by approach order, then size', () => {
    const input = [
      trial('partial', 10, 0.5, { wallSeconds: 3 }),
      trial('scratch', 50, 0.5, { wallSeconds: 2 }),
      trial('finetune', 10, 0.5, { wallSeconds: 5 }),
      trial('scratch', 10, 0.5, { wallSeconds: 1 }),
      trial('scratch', 10, 0.5, { wallSeconds: 3, seed: 1 }),
    ];
    const groups = summarize(input, 'wallSeconds');
    expect(groups.map((g) => `${g.approach}@${g.trainSize}`)).toEqual([
      'scratch@10',
      'scratch@50',
      'finetune@10',
      'partial@10',
    ]);
    expect(groups[0]!.mean).toBe(2);
    expect(summarize(input, 'trainFlops')).toEqual([]);
  });
});
