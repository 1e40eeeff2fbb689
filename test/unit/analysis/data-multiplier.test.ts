import { describe, expect, it } from 'vitest';
import { dataMultiplier } from '../../../benchmarks/analysis/data-multiplier.js';

const curve = (pairs: [number, number][]) => pairs.map(([trainSize, mean]) => ({ trainSize, mean }));

describe('dataMultiplier', () => {
  const scratch = curve([
    [10, 0.2],
    [100, 0.6],
    [1000, 0.8],
  ]);

  it('interpolates on log(size) between the sizes run', () => {
    // 0.7 is halfway from 0.6 (100) to 0.8 (1000) → log-midpoint √(100·1000) = 316.23; at N = 10 → 31.62×
    const m = dataMultiplier(10, 0.7, scratch);
    expect(m.kind).toBe('interpolated');
    if (m.kind === 'interpolated') {
      expect(m.matchingSize).toBeCloseTo(316.228, 2);
      expect(m.multiplier).toBeCloseTo(31.6228, 3);
      expect(m.scratchAhead).toBe(false);
    }
  });

  it('hits a size run exactly', () => {
    expect(dataMultiplier(10, 0.6, scratch)).toEqual({
      kind: 'interpolated',
      matchingSize: 100,
      multiplier: 10,
      scratchAhead: false,
    });
  });

  it('says "more than the largest size run" when scratch never gets there', () => {
    expect(dataMultiplier(100, 0.9, scratch)).toEqual({
      kind: 'more-than-largest',
      largestSize: 1000,
      multiplierAbove: 10,
    });
  });

  it('handles scratch already better (multiplier ≤ 1)', () => {
    // at N = 1000 the variant has 0.7 but scratch has 0.8: scratch needs only 316 examples
    const m = dataMultiplier(1000, 0.7, scratch);
    expect(m).toMatchObject({ kind: 'interpolated', scratchAhead: true });
    if (m.kind === 'interpolated') expect(m.multiplier).toBeCloseTo(0.316228, 5);
    expect(dataMultiplier(100, 0.1, scratch)).toEqual({
      kind: 'at-most',
      smallestSize: 10,
      multiplierAtMost: 0.1,
      scratchAhead: true,
    });
  });

  it('monotone-izes scratch with a running maximum before interpolating', () => {
    // the dip at 100 (0.4 < 0.5) is replaced by 0.5: target 0.55 lies between 0.5 (100) and 0.6 (1000)
    const noisy = curve([
      [10, 0.5],
      [100, 0.4],
      [1000, 0.6],
    ]);
    const m = dataMultiplier(10, 0.55, noisy);
    expect(m.kind).toBe('interpolated');
    if (m.kind === 'interpolated') expect(m.matchingSize).toBeCloseTo(316.228, 2);
    // a target equal to the plateau is matched at its first size
    expect(dataMultiplier(10, 0.5, noisy)).toMatchObject({ kind: 'interpolated', matchingSize: 10, multiplier: 1 });
  });

  it('with one scratch size: exact, bound below or bound above', () => {
    const one = curve([[50, 0.5]]);
    expect(dataMultiplier(50, 0.5, one)).toMatchObject({ kind: 'interpolated', multiplier: 1, scratchAhead: true });
    expect(dataMultiplier(50, 0.6, one)).toMatchObject({ kind: 'more-than-largest', multiplierAbove: 1 });
    expect(dataMultiplier(50, 0.4, one)).toMatchObject({ kind: 'at-most', multiplierAtMost: 1 });
    expect(dataMultiplier(50, 0.4, [])).toEqual({ kind: 'no-data' });
  });
});
