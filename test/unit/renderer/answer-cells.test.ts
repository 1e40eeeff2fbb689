import { describe, expect, it } from 'vitest';
import type { SizeComparison } from '../../../benchmarks/analysis/comparison.js';
import { differenceCell, multiplierText } from '../../../renderer/src/lib/answer/answer-cells.js';

function size(overrides: Partial<SizeComparison>): SizeComparison {
  return {
    trainSize: 20,
    variantMean: 0.7,
    variantN: 2,
    scratchMean: 0.6,
    scratchN: 2,
    difference: null,
    multiplier: { kind: 'no-data' },
    ...overrides,
  };
}

/** The paired-test fields a difference carries besides what the cell reads. */
const PAIRED = {
  test: 'paired-t' as const,
  pairs: 3,
  differences: [] as number[],
  sdDifference: 0,
  pValue: null,
  adjustedP: null,
  family: 1,
  seedsNeeded: null,
};

describe('answer cells', () => {
  it('shows the difference in points with the interval half-width and its tone', () => {
    const ahead = differenceCell(
      size({
        difference: {
          ...PAIRED,
          difference: 0.1,
          nA: 3,
          nB: 3,
          interval: { low: 0.05, high: 0.15, df: 2 },
          significant: true,
        },
      }),
    );
    expect(ahead).toMatchObject({ text: '+10.0 ± 5.0', tone: 'ahead' });
    const unsure = differenceCell(
      size({
        difference: {
          ...PAIRED,
          difference: -0.029,
          nA: 2,
          nB: 2,
          interval: { low: -0.168, high: 0.11, df: 1.9 },
          significant: false,
        },
      }),
    );
    expect(unsure).toMatchObject({ text: '−2.9 ± 13.9', tone: 'unsure' });
    expect(differenceCell(size({}))).toBeNull();
  });

  it('words the data multiplier', () => {
    expect(multiplierText({ kind: 'interpolated', matchingSize: 26.6, multiplier: 1.33, scratchAhead: false })).toBe(
      '×1.3',
    );
    expect(multiplierText({ kind: 'more-than-largest', largestSize: 500, multiplierAbove: 25 })).toBe('> ×25');
    expect(multiplierText({ kind: 'at-most', smallestSize: 10, multiplierAtMost: 0.5, scratchAhead: true })).toBe(
      'none',
    );
  });

  it('reads a difference of zero as level, never ±0.0', () => {
    const zero = differenceCell(
      size({
        difference: {
          ...PAIRED,
          difference: 0.0002,
          nA: 3,
          nB: 3,
          interval: { low: -0.02, high: 0.0204, df: 4 },
          significant: false,
        },
      }),
    );
    expect(zero!.text).toBe('level ± 2.0');
    expect(zero!.text).not.toContain('±0.0');
  });
});
