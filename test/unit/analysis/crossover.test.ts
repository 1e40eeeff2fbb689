import { describe, expect, it } from 'vitest';
import { findCrossover } from '../../../benchmarks/analysis/crossover.js';

const curve = (pairs: [number, number][]) => pairs.map(([trainSize, mean]) => ({ trainSize, mean }));

describe('findCrossover', () => {
  const variant = curve([
    [10, 0.7],
    [50, 0.8],
    [200, 0.9],
    [1000, 0.95],
  ]);

  it('finds the smallest size from which scratch stays within the tolerance', () => {
    const scratch = curve([
      [10, 0.3],
      [50, 0.6],
      [200, 0.895],
      [1000, 0.96],
    ]);
    expect(findCrossover(variant, scratch)).toEqual({
      kind: 'reached',
      trainSize: 200,
      atSmallestSize: false,
      gap: 0.9 - 0.895,
    });
  });

  it('needs scratch to stay within: a dip back out moves the crossover later', () => {
    const scratch = curve([
      [10, 0.3],
      [50, 0.8],
      [200, 0.85],
      [1000, 0.945],
    ]);
    expect(findCrossover(variant, scratch)).toMatchObject({ kind: 'reached', trainSize: 1000 });
  });

  it('counts a gap of exactly the tolerance as within (ties), despite floating point', () => {
    const scratch = curve([
      [10, 0.3],
      [50, 0.79],
      [200, 0.89],
      [1000, 0.94],
    ]);
    expect(findCrossover(variant, scratch)).toMatchObject({ kind: 'reached', trainSize: 50 });
    expect(findCrossover(variant, scratch, 0.005)).toMatchObject({ kind: 'not-reached', largestSize: 1000 });
  });

  it('reports curves that never cross', () => {
    const scratch = curve([
      [10, 0.1],
      [50, 0.2],
      [200, 0.3],
      [1000, 0.5],
    ]);
    const result = findCrossover(variant, scratch);
    expect(result.kind).toBe('not-reached');
    if (result.kind === 'not-reached') {
      expect(result.largestSize).toBe(1000);
      expect(result.gap).toBeCloseTo(0.45, 12);
    }
  });

  it('flags scratch being within (or ahead) at every size', () => {
    const scratch = curve([
      [10, 0.75],
      [50, 0.8],
      [200, 0.9],
      [1000, 0.99],
    ]);
    expect(findCrossover(variant, scratch)).toMatchObject({ kind: 'reached', trainSize: 10, atSmallestSize: true });
  });

  it('compares only sizes both ran (missing sizes) and handles no overlap', () => {
    const scratch = curve([
      [10, 0.3],
      [200, 0.895],
    ]);
    expect(findCrossover(variant, scratch)).toMatchObject({ kind: 'reached', trainSize: 200 });
    expect(findCrossover(variant, curve([[5000, 0.99]]))).toEqual({ kind: 'no-data' });
    expect(findCrossover([], [])).toEqual({ kind: 'no-data' });
  });
});
