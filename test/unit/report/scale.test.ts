import { describe, expect, it } from 'vitest';
import { linearScale, linearTicks, logScale } from '../../../benchmarks/report/scale.js';
import { bandPath, polylinePath, px } from '../../../benchmarks/report/svg.js';

describe('scales', () => {
  it('maps linearly, including inverted ranges (SVG y grows downwards)', () => {
    const y = linearScale([0, 1], [300, 100]);
    expect(y(0)).toBe(300);
    expect(y(1)).toBe(100);
    expect(y(0.25)).toBe(250);
    expect(linearScale([2, 2], [0, 100])(2)).toBe(50);
  });

  it('maps on a log scale: equal ratios, equal distances', () => {
    const x = logScale([10, 1000], [0, 200]);
    expect(x(10)).toBeCloseTo(0, 10);
    expect(x(100)).toBeCloseTo(100, 10);
    expect(x(1000)).toBeCloseTo(200, 10);
    expect(x(50) - x(25)).toBeCloseTo(x(500) - x(250), 10);
    expect(() => logScale([0, 10], [0, 1])).toThrow(RangeError);
  });

  it('picks round linear ticks', () => {
    expect(linearTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0.13, 0.97)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(linearTicks(1, 1)).toEqual([1]);
  });

  it('writes paths', () => {
    expect(px(1.23456)).toBe('1.23');
    expect(px(2)).toBe('2');
    expect(
      polylinePath([
        [0, 1],
        [2.5, 3],
      ]),
    ).toBe('M0 1 L2.5 3');
    expect(
      bandPath(
        [
          [0, 1],
          [2, 1],
        ],
        [
          [0, 5],
          [2, 6],
        ],
      ),
    ).toBe('M0 1 L2 1 L2 6 L0 5 Z');
  });
});
