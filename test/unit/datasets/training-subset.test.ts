import { describe, expect, it } from 'vitest';
import { UserError } from '../../../benchmarks/errors.js';
import { splitEvenly } from '../../../benchmarks/datasets/stratified-quotas.js';
import { trainingSubset, validationCount } from '../../../benchmarks/datasets/training-subset.js';
import { createRng, shuffleInPlace } from '../../../benchmarks/datasets/seeded-random.js';

/** A pool with `perClass` examples of each of `classes` classes, in a scrambled order. */
function pool(classes: number, perClass: number): Int32Array {
  const labels = Int32Array.from({ length: classes * perClass }, (_, i) => i % classes);
  shuffleInPlace(labels, createRng(99));
  return labels;
}

function union(subset: { train: Int32Array; val: Int32Array }): Set<number> {
  return new Set([...subset.train, ...subset.val]);
}

function perClass(labels: Int32Array, indices: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const i of indices) counts[labels[i]!]! += 1;
  return counts;
}

const POOL = pool(5, 100);
const SIZES = [10, 25, 50, 100, 250, 500];

describe('splitEvenly', () => {
  it('gives remainders to the lowest ids and never shrinks a share as the total grows', () => {
    expect(splitEvenly(53, 5)).toEqual([11, 11, 11, 10, 10]);
    expect(splitEvenly(3, 5)).toEqual([1, 1, 1, 0, 0]);
    let previous = splitEvenly(0, 7);
    for (let total = 1; total < 100; total++) {
      const shares = splitEvenly(total, 7);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      shares.forEach((s, i) => expect(s).toBeGreaterThanOrEqual(previous[i]!));
      previous = shares;
    }
  });
});

describe('validationCount', () => {
  it('is round(fraction × size), at least one per class, leaving one training example per class', () => {
    expect(validationCount(100, 5, 0.2)).toBe(20);
    expect(validationCount(53, 5, 0.2)).toBe(11);
    expect(validationCount(10, 5, 0.1)).toBe(5);
    expect(validationCount(10, 5, 0.9)).toBe(5);
    expect(validationCount(12, 5, 0.9)).toBe(7);
  });
});

describe('trainingSubset', () => {
  it('is nested across sizes for a seed (train+validation together, and validation alone)', () => {
    for (const seed of [0, 1, 2, 3]) {
      const subsets = SIZES.map((size) => trainingSubset(POOL, 5, size, seed, 0.2));
      for (let i = 1; i < subsets.length; i++) {
        const smaller = union(subsets[i - 1]!);
        const larger = union(subsets[i]!);
        expect(smaller.size).toBe(SIZES[i - 1]);
        expect(larger.size).toBe(SIZES[i]);
        for (const index of smaller) expect(larger.has(index)).toBe(true);
        const largerVal = new Set(subsets[i]!.val);
        for (const index of subsets[i - 1]!.val) expect(largerVal.has(index)).toBe(true);
      }
    }
  });

  it('gives different subsets for different seeds', () => {
    const a = union(trainingSubset(POOL, 5, 50, 0, 0.2));
    const b = union(trainingSubset(POOL, 5, 50, 1, 0.2));
    const shared = [...a].filter((i) => b.has(i)).length;
    expect(shared).toBeLessThan(25);
  });

  it('is deterministic for a seed, order included', () => {
    const a = trainingSubset(POOL, 5, 73, 12, 0.25);
    const b = trainingSubset(POOL, 5, 73, 12, 0.25);
    expect([...a.train]).toEqual([...b.train]);
    expect([...a.val]).toEqual([...b.val]);
  });

  it('stratifies the subset and its validation split by class', () => {
    const { train, val } = trainingSubset(POOL, 5, 53, 4, 0.2);
    expect(val.length).toBe(11);
    expect(train.length).toBe(42);
    const all = Int32Array.from([...train, ...val]);
    expect(perClass(POOL, all, 5)).toEqual([11, 11, 11, 10, 10]);
    expect(perClass(POOL, val, 5)).toEqual([3, 2, 2, 2, 2]);
    expect(perClass(POOL, train, 5)).toEqual([8, 9, 9, 8, 8]);
  });

  it('keeps validation disjoint from training, without repeats, inside the pool', () => {
    for (const size of SIZES) {
      const { train, val } = trainingSubset(POOL, 5, size, 8, 0.3);
      const trainSet = new Set(train);
      expect(trainSet.size).toBe(train.length);
      expect(new Set(val).size).toBe(val.length);
      for (const i of val) expect(trainSet.has(i)).toBe(false);
      for (const i of [...train, ...val]) expect(i >= 0 && i < POOL.length).toBe(true);
    }
  });

  it('gives every class one validation and one training example at the smallest size', () => {
    const { train, val } = trainingSubset(POOL, 5, 10, 0, 0.05);
    expect(perClass(POOL, train, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(perClass(POOL, val, 5)).toEqual([1, 1, 1, 1, 1]);
  });

  it('shuffles the output so classes are mixed', () => {
    const { train } = trainingSubset(
      Int32Array.from({ length: 500 }, (_, i) => Math.floor(i / 100)),
      5,
      250,
      0,
      0.2,
    );
    const ascending = [...train].sort((a, b) => a - b);
    expect([...train]).not.toEqual(ascending);
  });

  it('rejects a size larger than the pool, naming both numbers', () => {
    expect(() => trainingSubset(POOL, 5, 501, 0, 0.2)).toThrow(UserError);
    expect(() => trainingSubset(POOL, 5, 501, 0, 0.2)).toThrow(
      'training-set size 501 is larger than the training pool (500 examples)',
    );
  });

  it('rejects a size below two examples per class', () => {
    expect(() => trainingSubset(POOL, 5, 9, 0, 0.2)).toThrow(/size 9 is too small for 5 classes: it needs at least 10/);
  });

  it('gives a short class all it has and fills the size from the other classes', () => {
    const labels = Int32Array.from([...new Array<number>(3).fill(0), ...new Array<number>(97).fill(1)]);
    expect(trainingSubset(labels, 2, 6, 0, 0.2).train.length).toBe(4);
    const { train, val } = trainingSubset(labels, 2, 10, 0, 0.2);
    const all = [...train, ...val];
    expect(all).toHaveLength(10);
    expect(all.filter((i) => labels[i] === 0)).toHaveLength(3);
    expect([...val].some((i) => labels[i] === 0)).toBe(true);
    expect([...train].some((i) => labels[i] === 0)).toBe(true);
  });

  it('rejects a class with fewer than two examples in the pool', () => {
    const labels = Int32Array.from([0, ...new Array<number>(50).fill(1)]);
    expect(() => trainingSubset(labels, 2, 10, 0, 0.2)).toThrow('class index 0 has only 1 example(s)');
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => trainingSubset(POOL, 5, 12.5, 0, 0.2)).toThrow(UserError);
    expect(() => trainingSubset(POOL, 5, 0, 0, 0.2)).toThrow(UserError);
  });
});
