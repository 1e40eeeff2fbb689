import { describe, expect, it } from 'vitest';
import { mean, sampleStd } from '../../../../benchmarks/analysis/descriptive.js';
import { summarize } from '../../../../benchmarks/charts/data/stats.js';

describe('summarize', () => {
  it('computes mean and sample std', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    // deviations −2, −1, 0, 3: squares sum 14, / 3
    expect(sampleStd([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(sampleStd([5])).toBe(0);
  });

  it('draws a 95% t-interval: mean ± t(0.975, n−1)·s/√n', () => {
    // values 0.2, 0.3, 0.4: mean 0.3, s = 0.1, n = 3, t(0.975, 2) = 4.302653 → half = 0.248414
    const s = summarize([0.2, 0.3, 0.4], 'ci95');
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.3, 12);
    expect(s.low).toBeCloseTo(0.3 - 0.248414, 5);
    expect(s.high).toBeCloseTo(0.3 + 0.248414, 5);
  });

  it('draws min–max when asked', () => {
    expect(summarize([0.2, 0.9, 0.4], 'minmax')).toEqual({ n: 3, mean: 0.5, low: 0.2, high: 0.9 });
  });

  it('collapses the band onto the mean for a single value', () => {
    expect(summarize([0.7], 'ci95')).toEqual({ n: 1, mean: 0.7, low: 0.7, high: 0.7 });
  });

  it('clips the band to the metric range', () => {
    // 0.9 and 1.0: mean 0.95, s = 0.0707, t(0.975, 1) = 12.706 → half = 0.635: clipped to [0.315, 1]
    const s = summarize([0.9, 1], 'ci95', { min: 0, max: 1 });
    expect(s.high).toBe(1);
    expect(s.low).toBeCloseTo(0.95 - 0.63531, 5);
  });
});
