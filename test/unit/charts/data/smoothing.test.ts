import { describe, expect, it } from 'vitest';
import { emaSmooth } from '../../../../benchmarks/charts/data/smoothing.js';

describe('emaSmooth (TensorBoard debiased EMA)', () => {
  it('debiases the start: [1, 2, 3] at weight 0.5', () => {
    // m = 0.5, 1.25, 2.125; divided by 1 − 0.5^k = 0.5, 0.75, 0.875
    const s = emaSmooth([1, 2, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(1.25 / 0.75, 12);
    expect(s[2]).toBeCloseTo(2.125 / 0.875, 12);
  });

  it('passes non-finite values through without advancing the average', () => {
    const s = emaSmooth([1, Number.NaN, 3], 0.5);
    expect(s[1]).toBeNaN();
    // m = 0.5, then 0.25 + 1.5 = 1.75 over 1 − 0.25
    expect(s[2]).toBeCloseTo(1.75 / 0.75, 12);
  });

  it('leaves the curve alone at weight 0 and a constant curve at any weight', () => {
    expect(emaSmooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
    expect(emaSmooth([0.4, 0.4, 0.4], 0.9)).toEqual([0.4, 0.4, 0.4]);
  });

  it('clamps the weight below 1 so the curve still moves', () => {
    const s = emaSmooth([0, 1], 1);
    expect(s[1]).toBeGreaterThan(0);
  });
});
