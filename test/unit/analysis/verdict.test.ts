import { describe, expect, it } from 'vitest';
import type { SizeComparison } from '../../../benchmarks/analysis/comparison.js';
import { crossoverPhrase, differencePhrase, multiplierPhrase } from '../../../benchmarks/analysis/verdict.js';
import { pairedDifference } from '../../../benchmarks/analysis/paired.js';

function size(trainSize: number, variant: number[], scratch: number[] | null): SizeComparison {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    trainSize,
    variantMean: mean(variant),
    variantN: variant.length,
    scratchMean: scratch ? mean(scratch) : null,
    scratchN: scratch?.length ?? 0,
    // seed i of the variant pairs with seed i of scratch
    difference: scratch
      ? pairedDifference(
          variant.slice(0, scratch.length).map((v, seed) => ({ seed, variant: v, scratch: scratch[seed]! })),
        )
      : null,
    multiplier: { kind: 'no-data' },
  };
}

describe('verdict phrases', () => {
  it('describes ahead, behind, level and not significant', () => {
    // behind: paired differences −0.2, 0, −0.1 (mean −0.1, s = 0.1, n = 3): −10.0 ± 4.303·0.1/√3 = ± 24.8, p = 0.23
    expect(differencePhrase(size(10, [0.4, 0.5, 0.6], [0.6, 0.5, 0.7]))).toBe(
      'is 10.0 ± 24.8 points behind scratch (not significant at 95%)',
    );
    expect(differencePhrase(size(10, [0.5, 0.5], [0.5, 0.5]))).toBe(
      'is level with scratch (difference 0.0 ± 0.0 points)',
    );
    expect(differencePhrase(size(10, [0.9], [0.55, 0.6]))).toBe(
      'is 35.0 points ahead of scratch (one seed on a side: no interval)',
    );
    expect(differencePhrase(size(10, [0.9], null))).toBeNull();
  });

  it('describes every kind of data multiplier', () => {
    expect(multiplierPhrase({ kind: 'interpolated', matchingSize: 125, multiplier: 12.5, scratchAhead: false })).toBe(
      'scratch needs about 13× more data to match it',
    );
    expect(multiplierPhrase({ kind: 'interpolated', matchingSize: 32, multiplier: 3.2, scratchAhead: false })).toBe(
      'scratch needs about 3.2× more data to match it',
    );
    expect(multiplierPhrase({ kind: 'interpolated', matchingSize: 5, multiplier: 0.5, scratchAhead: true })).toBe(
      'scratch matches it with no more data',
    );
    expect(multiplierPhrase({ kind: 'at-most', smallestSize: 10, multiplierAtMost: 0.1, scratchAhead: true })).toBe(
      'scratch matches it with no more data',
    );
    expect(multiplierPhrase({ kind: 'more-than-largest', largestSize: 2000, multiplierAbove: 40 })).toBe(
      'scratch does not match it even with 2,000 examples, the largest size run (more than 40× the data)',
    );
    expect(multiplierPhrase({ kind: 'no-data' })).toBeNull();
  });

  it('describes the crossover, distinguishing "within" from "ahead"', () => {
    const sizes = [size(10, [0.9, 0.9], [0.5, 0.5]), size(100, [0.9, 0.9], [0.95, 0.95])];
    expect(crossoverPhrase({ kind: 'reached', trainSize: 100, atSmallestSize: false, gap: -0.05 }, sizes, 0.01)).toBe(
      'from 100 examples on scratch is within 1 point of it or ahead',
    );
    const close = [size(10, [0.9, 0.9], [0.5, 0.5]), size(100, [0.9, 0.9], [0.895, 0.895])];
    expect(crossoverPhrase({ kind: 'reached', trainSize: 100, atSmallestSize: false, gap: 0.005 }, close, 0.02)).toBe(
      'from 100 examples on the difference is at most 2 points',
    );
    expect(crossoverPhrase({ kind: 'reached', trainSize: 10, atSmallestSize: true, gap: 0 }, close, 0.5)).toBe(
      'at every size run the difference is at most 50 points',
    );
    expect(crossoverPhrase({ kind: 'no-data' }, [], 0.01)).toBeNull();
  });
});
