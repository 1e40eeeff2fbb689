import { describe, expect, it } from 'vitest';
import { lttbIndices, thinForScreen } from '../../../../benchmarks/charts/data/lttb.js';

describe('LTTB downsampling (drawing only)', () => {
  it('keeps the peak: one bucket between the end points', () => {
    // every = 3; the next bucket's average is (4, 0); among points 1..3 the peak (2, 5) spans the largest triangle
    expect(lttbIndices([0, 1, 2, 3, 4], [0, 0, 5, 0, 0], 3)).toEqual([0, 2, 4]);
  });

  it('returns every index when the threshold is not below the length', () => {
    expect(lttbIndices([0, 1, 2], [1, 2, 3], 3)).toEqual([0, 1, 2]);
    expect(lttbIndices([0, 1, 2], [1, 2, 3], 2)).toEqual([0, 1, 2]);
  });

  it('thins a long curve to the threshold, keeping both ends and each point whole', () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ x: i, mean: Math.sin(i / 30), low: -1, high: 1 }));
    const thin = thinForScreen(points, 100);
    expect(thin).toHaveLength(100);
    expect(thin[0]).toBe(points[0]);
    expect(thin[99]).toBe(points[999]);
    expect(thinForScreen(points.slice(0, 50), 100)).toHaveLength(50);
  });
});
