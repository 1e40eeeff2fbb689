import { describe, expect, it } from 'vitest';
import type { SizeComparison } from '../../../benchmarks/analysis/comparison.js';
import { comparisonSentence, differencePhrase, multiplierPhrase } from '../../../benchmarks/analysis/verdict.js';
import { findCrossover } from '../../../benchmarks/analysis/crossover.js';
import { crossoverWording } from '../../../benchmarks/analysis/plain-answer.js';
import type { VariantComparison } from '../../../benchmarks/analysis/comparison.js';
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

  it('words the crossover with the one function the app and the plain answer use', () => {
    const sizes = [size(10, [0.9, 0.92], [0.5, 0.52]), size(100, [0.9, 0.91], [0.95, 0.95])];
    const c = variant('finetune', sizes, 0.01);
    const sentence = comparisonSentence(c, 0.01)!;
    expect(sentence).toContain(crossoverWording(c, 0.01));
    expect(sentence).toContain('crossover at 100 examples');
    expect(sentence.startsWith('With 10 examples, fine-tuning is 40.0')).toBe(true);
  });

  it('says a linear probe that trails at every size trails everywhere, with no crossover at the smallest size', () => {
    const sizes = [
      size(10, [0.5, 0.52, 0.51], [0.6, 0.61, 0.6]),
      size(20, [0.6, 0.62, 0.61], [0.7, 0.69, 0.7]),
      size(50, [0.72, 0.7, 0.71], [0.78, 0.79, 0.8]),
    ];
    const c = variant('linear-probe', sizes, 0.01);
    const sentence = comparisonSentence(c, 0.01)!;
    expect(sentence).toMatch(
      /^The linear probe trails scratch at every size run: with 10 examples it is 9\.3 ± [\d.]+ points behind scratch.*; no crossover: scratch is ahead at every size run, by 8\.0–9\.3 points\.$/,
    );
    expect(sentence).not.toMatch(/crossover at/);
    expect(sentence).not.toMatch(/more data to match/);
    expect(sentence).toContain(crossoverWording(c, 0.01));
    // within the tolerance at one size: the usual sentence, not "trails everywhere"
    const mixed = variant('linear-probe', [sizes[0]!, size(20, [0.7, 0.7, 0.7], [0.7, 0.7, 0.7])], 0.01);
    expect(comparisonSentence(mixed, 0.01)).toMatch(/^With 10 examples, the linear probe is 9\.3/);
    expect(comparisonSentence(variant('finetune', [size(10, [0.9], null)], 0.01), 0.01)).toBeNull();
  });
});

function variant(
  approach: VariantComparison['approach'],
  sizes: SizeComparison[],
  tolerance: number,
): VariantComparison {
  const points = (side: 'variantMean' | 'scratchMean') =>
    sizes.filter((s) => s.scratchMean !== null).map((s) => ({ trainSize: s.trainSize, mean: s[side]! }));
  return {
    approach,
    baseline: 'scratch',
    sizes,
    crossover: findCrossover(points('variantMean'), points('scratchMean'), tolerance),
  };
}
