import { describe, expect, it } from 'vitest';
import { compareToScratch } from '../../../benchmarks/analysis/comparison.js';
import { defaultMarkedSize, multiplierArrows, timesText } from '../../../benchmarks/charts/multiplier-arrows.js';
import type { Approach } from '../../../benchmarks/domain.js';
import { trial } from '../../support/records.js';

/** One seed per approach and size: the means are the values. */
function trials(curves: Partial<Record<Approach, Record<number, number>>>) {
  return Object.entries(curves).flatMap(([approach, bySize]) =>
    Object.entries(bySize).map(([size, accuracy]) => trial(approach as Approach, Number(size), accuracy)),
  );
}

/**
 * Scratch 0.5 / 0.7 / 0.9 at 10 / 100 / 1,000: 0.2 per decade of size.
 * - finetune 0.6 / 0.8 / 0.95: matched at 31.62 (×3.162) and 316.2 (×3.162); 0.95 is more than scratch's best (bound).
 * - linear-probe 0.45 / 0.65 / 0.85: scratch ahead everywhere (at most 1× at 10, interpolated 0.56× at 100).
 * - partial 0.55 / 0.95 at 10 / 100: matched at 10^1.25 = 17.78 (×1.778) at 10; a bound at 100.
 */
const comparisons = compareToScratch(
  trials({
    scratch: { 10: 0.5, 100: 0.7, 1000: 0.9 },
    finetune: { 10: 0.6, 100: 0.8, 1000: 0.95 },
    'linear-probe': { 10: 0.45, 100: 0.65, 1000: 0.85 },
    partial: { 10: 0.55, 100: 0.95 },
  }),
);

describe('multiplier arrows', () => {
  it('defaults to the smallest size where a variant is ahead with an interpolated multiplier', () => {
    expect(defaultMarkedSize(comparisons)).toBe(10);
    const behind = compareToScratch(trials({ scratch: { 10: 0.5, 100: 0.7 }, finetune: { 10: 0.4, 100: 0.6 } }));
    expect(defaultMarkedSize(behind)).toBeNull();
    const beyond = compareToScratch(
      trials({ scratch: { 10: 0.5, 100: 0.7, 1000: 0.8 }, finetune: { 10: 0.85, 100: 0.75 } }),
    );
    expect(defaultMarkedSize(beyond)).toBe(100);
  });

  it('draws an arrow per interpolated multiplier with scratch behind, highest first', () => {
    const arrows = multiplierArrows(comparisons, 10);
    expect(arrows.map((a) => [a.approach, a.from, a.accuracy, a.label, a.slot])).toEqual([
      ['finetune', 10, 0.6, '×3.2 data', 0],
      ['partial', 10, 0.55, '×1.8 data', 1],
    ]);
    expect(arrows[0]!.to).toBeCloseTo(10 ** 1.5, 9);
    expect(arrows[0]!.multiplier).toBeCloseTo(10 ** 0.5, 9);
    expect(arrows[1]!.to).toBeCloseTo(10 ** 1.25, 9);
  });

  it('draws none for bounds, where scratch is ahead or without a size', () => {
    // At 100: the linear probe's multiplier is interpolated but scratch is ahead (0.56×); partial's is a bound.
    expect(multiplierArrows(comparisons, 100).map((a) => a.approach)).toEqual(['finetune']);
    // At 1,000: finetune is beyond scratch's best (a bound), the linear probe behind.
    expect(multiplierArrows(comparisons, 1000)).toEqual([]);
    expect(multiplierArrows(comparisons, null)).toEqual([]);
    expect(multiplierArrows(comparisons, 50)).toEqual([]);
  });

  it('rounds the label like the Answer table', () => {
    expect(timesText(1.5)).toBe('×1.5');
    expect(timesText(2)).toBe('×2.0');
    expect(timesText(31.62)).toBe('×32');
  });
});
