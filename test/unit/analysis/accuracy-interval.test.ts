import { describe, expect, it } from 'vitest';
import { accuracyInterval, testSetSize } from '../../../benchmarks/analysis/accuracy-interval.js';
import { createRng } from '../../../benchmarks/datasets/seeded-random.js';

/** A standard normal draw (Box–Muller) from a seeded uniform stream. */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
const expit = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * A synthetic suite's accuracies at one size, with known truth: example i of the test distribution has easiness
 * u_i ~ N(0, 1); a seed's model has skill β_s ~ N(0, seedSd); the model of seed s gets example i right with
 * probability expit(α + β_s + u_i). Every seed is measured on the same m test examples (as in a suite), so the test
 * set's noise is shared across seeds. The truth is the expected accuracy over seeds and the whole test distribution.
 */
function syntheticGroup(rng: () => number, alpha: number, seedSd: number, seeds: number, m: number): number[] {
  const easiness = Array.from({ length: m }, () => gaussian(rng));
  return Array.from({ length: seeds }, () => {
    const skill = seedSd * gaussian(rng);
    let correct = 0;
    for (const u of easiness) if (rng() < expit(alpha + skill + u)) correct++;
    return correct / m;
  });
}

/** The expected accuracy for (α, seedSd): a fixed quadrature over easiness and skill (Gauss–Hermite-free: a grid). */
function truth(alpha: number, seedSd: number): number {
  let sum = 0;
  let weight = 0;
  for (let a = -6; a <= 6; a += 0.05) {
    for (let b = -6; b <= 6; b += 0.05) {
      const w = Math.exp(-(a * a + b * b) / 2);
      sum += w * expit(alpha + seedSd * b + a);
      weight += w;
    }
  }
  return sum / weight;
}

describe('accuracy interval over seeds and the test set', () => {
  it('counts the test set from the spec when it can', () => {
    const mnist = { target: { dataset: { kind: 'mnist' as const, classes: [5, 6, 7, 8, 9] }, testPerClass: 100 } };
    expect(testSetSize(mnist)).toBe(500);
    expect(testSetSize({ target: { dataset: { kind: 'mnist' as const }, testPerClass: 20 } })).toBe(200);
    expect(
      testSetSize({
        target: { dataset: { kind: 'folder' as const, dir: 'x', imageSize: [8, 8], channels: 1 }, testPerClass: 20 },
      }),
    ).toBeNull();
  });

  it('stays inside (0, 1) without clipping, and is wider towards 50% than towards 100%', () => {
    const high = accuracyInterval([0.998, 1, 1], 500);
    expect(high.low).toBeGreaterThan(0.97);
    expect(high.high).toBeLessThan(1);
    expect(high.high).toBeGreaterThan(0.998);
    const spread = accuracyInterval([0.2, 0.9, 0.5], 500);
    expect(spread.low).toBeGreaterThan(0);
    expect(spread.high).toBeLessThan(1);
  });

  it('is wider than the seeds alone say: a test set of 500 at 97% adds about ±1.5 points', () => {
    const values = [0.97, 0.97, 0.97];
    const seedsOnly = accuracyInterval(values, null);
    expect(seedsOnly.high - seedsOnly.low).toBeLessThan(1e-12);
    const withTest = accuracyInterval(values, 500);
    expect((withTest.high - withTest.low) / 2).toBeGreaterThan(0.012);
    expect((withTest.high - withTest.low) / 2).toBeLessThan(0.02);
  });

  it('covers the true expected accuracy close to 95% of the time over 1,000 synthetic suites', () => {
    const rng = createRng(7);
    const settings = [
      { alpha: 0.5, seedSd: 0.4 },
      { alpha: 2, seedSd: 0.3 },
      { alpha: 4, seedSd: 0.3 },
      { alpha: 1, seedSd: 0.05 },
    ];
    let covered = 0;
    let total = 0;
    for (const { alpha, seedSd } of settings) {
      const target = truth(alpha, seedSd);
      for (let suite = 0; suite < 250; suite++) {
        const values = syntheticGroup(rng, alpha, seedSd, 3, 500);
        const interval = accuracyInterval(values, 500);
        if (interval.low <= target && target <= interval.high) covered++;
        total++;
      }
    }
    const coverage = covered / total;
    console.log(`coverage ${coverage} over ${total} synthetic suites`);
    expect(total).toBe(1000);
    expect(coverage).toBeGreaterThan(0.93);
    expect(coverage).toBeLessThan(0.99);
  });
});
