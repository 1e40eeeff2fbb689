import { describe, expect, it } from 'vitest';
import { buildCaveats, type CaveatInput } from '../../../benchmarks/analysis/caveats.js';
import type { SizeComparison, Variant, VariantComparison } from '../../../benchmarks/analysis/comparison.js';
import type { GroupSummary } from '../../../benchmarks/analysis/summary-stats.js';
import type { Approach } from '../../../benchmarks/domain.js';

/** A group whose 95% interval is mean ± half (n seeds). */
function group(approach: Approach, trainSize: number, half: number, n = 3): GroupSummary {
  const mean = 0.8;
  return { approach, trainSize, n, mean, std: 0, ciLow: mean - half, ciHigh: mean + half, min: mean, max: mean };
}

/** A difference against scratch whose 95% paired interval is 0.02 ± half (null: no interval). */
function size(trainSize: number, half: number | null): SizeComparison {
  return {
    trainSize,
    variantMean: 0.82,
    variantN: 3,
    scratchMean: 0.8,
    scratchN: 3,
    difference: {
      difference: 0.02,
      nA: 3,
      nB: 3,
      interval: half === null ? null : { low: 0.02 - half, high: 0.02 + half, df: 2 },
      significant: half === null ? null : half < 0.02,
      test: 'paired-t',
      pairs: 3,
      differences: [0.02, 0.02, 0.02],
      sdDifference: 0,
      pValue: null,
      adjustedP: null,
      family: 1,
      seedsNeeded: null,
    },
    multiplier: { kind: 'no-data' },
  };
}

function comparison(approach: Variant, sizes: SizeComparison[]): VariantComparison {
  return { approach, baseline: 'scratch', sizes, crossover: { kind: 'no-data' } };
}

function wideCaveat(input: Partial<CaveatInput>): string | undefined {
  const caveats = buildCaveats({
    seeds: 3,
    accuracy: [],
    comparisons: [],
    incomplete: [],
    trials: [],
    wideInterval: 0.1,
    ...input,
  });
  return caveats.find((c) => c.includes('95% interval'));
}

describe('the wide-interval caveat', () => {
  it('is absent when every interval is at most the threshold wide (±5 points is exactly 10 points: not wider)', () => {
    expect(
      wideCaveat({
        accuracy: [group('scratch', 10, 0.05), group('finetune', 10, 0.03)],
        comparisons: [comparison('finetune', [size(10, 0.05)])],
      }),
    ).toBeUndefined();
  });

  it('counts groups and differences and names the widest of each', () => {
    // Groups: widths 0.30, 0.12, 0.08, 0.574 → 3 of 4 wider than 0.10; widest ±28.7 (the linear probe at 50).
    // Differences: widths 0.136, 0.49, 0.02 → 2 of 3; widest ±24.5 (the linear probe at 50).
    const text = wideCaveat({
      accuracy: [
        group('scratch', 10, 0.15),
        group('scratch', 50, 0.06),
        group('finetune', 50, 0.04),
        group('linear-probe', 50, 0.287),
      ],
      comparisons: [
        comparison('finetune', [size(10, 0.068)]),
        comparison('linear-probe', [size(50, 0.245), size(1000, 0.01)]),
      ],
    });
    expect(text).toBe(
      '3 of 4 approach-and-size groups have 95% intervals wider than 10 points end to end (widest: the linear probe at 50, ±28.7), ' +
        'and so do 2 of 3 differences against scratch (widest: the linear probe at 50, ±24.5). More seeds would narrow them.',
    );
  });

  it('uses the singular, and leaves out groups and differences without an interval from the counts', () => {
    // One-seed group (no interval) and a difference without interval are not counted; 1 of 2 groups, 1 of 1 difference.
    const text = wideCaveat({
      accuracy: [group('scratch', 10, 0, 1), group('scratch', 100, 0.06), group('partial', 100, 0.01)],
      comparisons: [comparison('partial', [size(10, null), size(100, 0.0625)])],
    });
    expect(text).toBe(
      '1 of 2 approach-and-size groups has a 95% interval wider than 10 points end to end (widest: scratch at 100, ±6.0), ' +
        'and so does 1 of 1 difference against scratch (widest: partial fine-tuning at 100, ±6.3). More seeds would narrow them.',
    );
  });

  it('speaks only of groups or only of differences when only those are wide, at the threshold asked for', () => {
    expect(wideCaveat({ accuracy: [group('finetune', 2000, 0.09)], wideInterval: 0.15 })).toBe(
      '1 of 1 approach-and-size group has a 95% interval wider than 15 points end to end (widest: fine-tuning at 2,000, ±9.0). More seeds would narrow them.',
    );
    expect(
      wideCaveat({
        accuracy: [group('scratch', 25, 0.04)],
        comparisons: [comparison('finetune', [size(25, 0.07), size(100, 0.08)])],
      }),
    ).toBe(
      '2 of 2 differences against scratch have 95% intervals wider than 10 points end to end (widest: fine-tuning at 100, ±8.0). More seeds would narrow them.',
    );
  });

  it('stays one short sentence on a large grid', () => {
    // 4 approaches × 9 sizes, all ±20 points except the linear probe at 4,000 (±30): 36 of 36 groups wide.
    const sizes = [10, 25, 50, 100, 250, 500, 1000, 2000, 4000];
    const approaches: Approach[] = ['scratch', 'finetune', 'linear-probe', 'partial'];
    const accuracy = approaches.flatMap((a) =>
      sizes.map((s) => group(a, s, a === 'linear-probe' && s === 4000 ? 0.3 : 0.2)),
    );
    const comparisons = (['finetune', 'linear-probe', 'partial'] as const).map((a) =>
      comparison(
        a,
        sizes.map((s) => size(s, 0.25)),
      ),
    );
    const text = wideCaveat({ accuracy, comparisons })!;
    expect(text).toBe(
      '36 of 36 approach-and-size groups have 95% intervals wider than 10 points end to end (widest: the linear probe at 4,000, ±30.0), ' +
        'and so do 27 of 27 differences against scratch (widest: fine-tuning at 10, ±25.0). More seeds would narrow them.',
    );
  });
});
