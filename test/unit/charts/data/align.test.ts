import { describe, expect, it } from 'vitest';
import { alignByInterpolation, alignOnSharedX } from '../../../../benchmarks/charts/data/align.js';

describe('alignOnSharedX (epochs)', () => {
  it('collects each seed at each epoch it reached', () => {
    expect(
      alignOnSharedX([
        { x: [1, 2, 3], y: [10, 20, 30] },
        { x: [1, 2], y: [11, 21] },
      ]),
    ).toEqual([
      { x: 1, values: [10, 11] },
      { x: 2, values: [20, 21] },
      { x: 3, values: [30] },
    ]);
  });

  it('skips non-finite values', () => {
    expect(alignOnSharedX([{ x: [1, 2], y: [Number.NaN, 2] }])).toEqual([{ x: 2, values: [2] }]);
  });
});

describe('alignByInterpolation (wall time)', () => {
  it('interpolates each seed on the union of time points, within its own range only', () => {
    // A: (1, 10) (3, 30); B: (2, 0) (4, 40)
    expect(
      alignByInterpolation([
        { x: [1, 3], y: [10, 30] },
        { x: [2, 4], y: [0, 40] },
      ]),
    ).toEqual([
      { x: 1, values: [10] },
      { x: 2, values: [20, 0] },
      { x: 3, values: [30, 20] },
      { x: 4, values: [40] },
    ]);
  });

  it('keeps a single-point seed at its own time only', () => {
    expect(
      alignByInterpolation([
        { x: [5], y: [1] },
        { x: [4, 6], y: [2, 4] },
      ]),
    ).toEqual([
      { x: 4, values: [2] },
      { x: 5, values: [1, 3] },
      { x: 6, values: [4] },
    ]);
  });
});

describe('alignByInterpolation on long curves', () => {
  it('uses an evenly spaced grid when the union of time points is larger than the cap', () => {
    // A: (0, 0) (4, 4); B: (1, 10) (3, 30); union 0, 1, 3, 4 > 3 columns → grid 0, 2, 4
    expect(
      alignByInterpolation(
        [
          { x: [0, 4], y: [0, 4] },
          { x: [1, 3], y: [10, 30] },
        ],
        3,
      ),
    ).toEqual([
      { x: 0, values: [0] },
      { x: 2, values: [2, 20] },
      { x: 4, values: [4] },
    ]);
  });
});
