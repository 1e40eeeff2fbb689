import { describe, expect, it } from 'vitest';
import { decadeExtent, niceExtent, niceStep } from '../../../benchmarks/charts/extent.js';

describe('axis extents fitted to the mean lines', () => {
  it('picks steps of 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceStep(0.07)).toBeCloseTo(0.1, 12);
    expect(niceStep(0.18)).toBeCloseTo(0.2, 12);
    expect(niceStep(2.2)).toBe(2.5);
    expect(niceStep(40)).toBe(50);
  });

  it('pads and rounds outwards to the step, within the clamp', () => {
    // 0.62…0.94: range 0.32, room 0.0192, step nice(0.3584/5 = 0.0717) = 0.1 → [0.6, 1.0]
    expect(niceExtent([0.62, 0.94, 0.8], 0, 1)).toEqual({ min: 0.6, max: 1 });
    // 0.2…1.8 loss: room 0.096, step nice(0.3584) = 0.5 → [0, 2]
    expect(niceExtent([0.2, 1.8], 0)).toEqual({ min: 0, max: 2 });
  });

  it('gives a single value some room, and nothing for no values', () => {
    // 0.5 ± 10% → 0.45…0.55, room 0.006, step nice(0.112/5 = 0.0224) = 0.025 → [0.425, 0.575]
    expect(niceExtent([0.5], 0, 1)).toEqual({ min: 0.425, max: 0.575 });
    expect(niceExtent([Number.NaN])).toBeNull();
  });

  it('spans whole decades on a log axis', () => {
    expect(decadeExtent([0.03, 0.2, 1.5])).toEqual({ min: 0.01, max: 10 });
    expect(decadeExtent([0, -1])).toBeNull();
  });
});
