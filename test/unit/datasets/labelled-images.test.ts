import { describe, expect, it } from 'vitest';
import { countPerClass, gather } from '../../../benchmarks/datasets/labelled-images.js';
import type { LabelledImages } from '../../../benchmarks/datasets/labelled-images.js';

/** 4 images of 1×2×1; image i has pixels [i/10, i/10 + 0.05]. */
function sample(): LabelledImages {
  return {
    images: Float32Array.from([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35]),
    labels: Int32Array.from([0, 1, 1, 0]),
    count: 4,
    height: 1,
    width: 2,
    channels: 1,
    classNames: ['cat', 'dog'],
  };
}

describe('gather', () => {
  it('copies the selected rows in the order given', () => {
    const data = sample();
    const picked = gather(data, Int32Array.from([3, 1, 3]));
    expect(picked.count).toBe(3);
    expect([...picked.images]).toEqual([...Float32Array.from([0.3, 0.35, 0.1, 0.15, 0.3, 0.35])]);
    expect([...picked.labels]).toEqual([0, 1, 0]);
    expect(picked.classNames).toEqual(['cat', 'dog']);
    expect([picked.height, picked.width, picked.channels]).toEqual([1, 2, 1]);
  });

  it('returns independent copies', () => {
    const data = sample();
    const picked = gather(data, Int32Array.from([0]));
    picked.images[0] = 1;
    picked.labels[0] = 1;
    picked.classNames[0] = 'changed';
    expect(data.images[0]).toBe(0);
    expect(data.labels[0]).toBe(0);
    expect(data.classNames[0]).toBe('cat');
  });

  it('gives an empty set for no indices and rejects out-of-range ones', () => {
    expect(gather(sample(), new Int32Array(0)).count).toBe(0);
    expect(() => gather(sample(), Int32Array.from([4]))).toThrow(/index 4 is outside 0..3/);
    expect(() => gather(sample(), Int32Array.from([-1]))).toThrow(RangeError);
  });
});

describe('countPerClass', () => {
  it('counts labels per class', () => {
    expect(countPerClass(Int32Array.from([2, 0, 2, 2]), 4)).toEqual([1, 0, 3, 0]);
    expect(() => countPerClass(Int32Array.from([4]), 4)).toThrow(RangeError);
  });
});
