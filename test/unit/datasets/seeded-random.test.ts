import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, shuffleInPlace } from '../../../benchmarks/datasets/seeded-random.js';

function draw(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng());
}

describe('createRng', () => {
  it('repeats its sequence for a seed', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50));
  });

  it('gives different sequences for different seeds, including seeds above 2^32', () => {
    expect(draw(1, 5)).not.toEqual(draw(2, 5));
    expect(draw(0, 5)).not.toEqual(draw(2 ** 32, 5));
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const values = draw(7, 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const deciles = new Array<number>(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]! += 1;
    for (const n of deciles) expect(Math.abs(n - 2000)).toBeLessThan(150);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRng(Number.NaN)).toThrow(/finite/);
  });
});

describe('deriveSeed', () => {
  it('is deterministic and separates streams and seeds', () => {
    expect(deriveSeed(5, 1)).toBe(deriveSeed(5, 1));
    const seen = new Set<number>();
    for (let seed = 0; seed < 20; seed++)
      for (let stream = 0; stream < 20; stream++) seen.add(deriveSeed(seed, stream));
    expect(seen.size).toBe(400);
  });
});

describe('shuffleInPlace', () => {
  it('permutes every element exactly once, deterministically for a seed', () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    const b = a.slice();
    shuffleInPlace(a, createRng(3));
    shuffleInPlace(b, createRng(3));
    expect([...a]).toEqual([...b]);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('puts each element in each position about equally often', () => {
    const rng = createRng(11);
    const firstCounts = [0, 0, 0, 0];
    for (let t = 0; t < 8000; t++) {
      const arr = ['a', 'b', 'c', 'd'];
      shuffleInPlace(arr, rng);
      firstCounts['abcd'.indexOf(arr[0]!)]! += 1;
    }
    for (const n of firstCounts) expect(Math.abs(n - 2000)).toBeLessThan(150);
  });

  it('handles empty and single-element arrays', () => {
    const empty: number[] = [];
    shuffleInPlace(empty, createRng(1));
    expect(empty).toEqual([]);
    const one = [9];
    shuffleInPlace(one, createRng(1));
    expect(one).toEqual([9]);
  });
});
