import { describe, expect, it } from 'vitest';
import { welchDifference } from '../../../benchmarks/analysis/welch.js';
import { studentTQuantile } from '../../../benchmarks/analysis/student-t.js';

describe('welchDifference', () => {
  it('matches a hand-computed Welch interval', () => {
    // a: 0.8, 0.9, 1.0 → mean 0.9, s² = 0.01; b: 0.5, 0.7 → mean 0.6, s² = 0.02
    // va = 0.01/3, vb = 0.02/2 = 0.01; se = √(0.013333) = 0.115470
    // ν = 0.013333² / ((0.003333²)/2 + (0.01²)/1) = 1.7778e-4 / (5.5556e-6 + 1e-4) = 1.68421
    const d = welchDifference([0.8, 0.9, 1.0], [0.5, 0.7]);
    expect(d.difference).toBeCloseTo(0.3, 12);
    expect(d.interval).not.toBeNull();
    expect(d.interval!.df).toBeCloseTo(1.68421, 4);
    const half = studentTQuantile(0.975, 1.68421) * 0.11547;
    expect(d.interval!.high - d.difference).toBeCloseTo(half, 3);
    // t(0.975, 1.684) is about 5.9: the interval is wide and includes 0
    expect(d.significant).toBe(false);
  });

  it('equal sizes and variances reduce to the pooled case (ν = 2n − 2)', () => {
    // a: 1, 2, 3; b: 4, 5, 6 → d = −3, se = √(1/3 + 1/3) = 0.8165, ν = 4, t = 2.7764 → half = 2.2670
    const d = welchDifference([1, 2, 3], [4, 5, 6]);
    expect(d.interval!.df).toBeCloseTo(4, 10);
    expect(d.interval!.low).toBeCloseTo(-3 - 2.267, 3);
    expect(d.interval!.high).toBeCloseTo(-3 + 2.267, 3);
    expect(d.significant).toBe(true);
  });

  it('has no interval with one value on either side', () => {
    const d = welchDifference([0.9], [0.5, 0.6]);
    expect(d.difference).toBeCloseTo(0.35, 12);
    expect(d.interval).toBeNull();
    expect(d.significant).toBeNull();
  });

  it('collapses to a point when neither side varies (ties)', () => {
    expect(welchDifference([0.1, 0.1], [0.1, 0.1])).toMatchObject({
      difference: 0,
      interval: { low: 0, high: 0 },
      significant: false,
    });
    expect(welchDifference([0.2, 0.2], [0.1, 0.1]).significant).toBe(true);
  });

  it('one side without spread: ν = n − 1 of the other side', () => {
    const d = welchDifference([0.5, 0.5, 0.5], [0.2, 0.4]);
    expect(d.interval!.df).toBeCloseTo(1, 10);
  });
});
