import { describe, expect, it } from 'vitest';
import { splitEvenly } from '../../../benchmarks/datasets/stratified-quotas.js';

describe('splitEvenly with capacities', () => {
  it('gives a short class all it has and shares the rest evenly', () => {
    // MNIST digits 5-9 less 100 test examples each: digit 5 has only 763 in the pool.
    expect(splitEvenly(4000, 5, [763, 914, 970, 844, 878])).toEqual([763, 810, 809, 809, 809]);
  });

  it('cascades when capping one class pushes another over its capacity', () => {
    expect(splitEvenly(10, 3, [1, 3, 100])).toEqual([1, 3, 6]);
  });

  it('equals the plain even split when every class has room', () => {
    expect(splitEvenly(53, 5, [100, 100, 100, 100, 100])).toEqual(splitEvenly(53, 5));
  });

  it('never takes a share away as the total grows, so subsets stay nested', () => {
    const capacity = [5, 40, 12, 30];
    let previous = splitEvenly(0, 4, capacity);
    for (let total = 1; total <= 87; total++) {
      const shares = splitEvenly(total, 4, capacity);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      shares.forEach((share, i) => {
        expect(share).toBeGreaterThanOrEqual(previous[i]!);
        expect(share).toBeLessThanOrEqual(capacity[i]!);
      });
      previous = shares;
    }
  });
});
