import { describe, expect, it } from 'vitest';
import { decodeTask, encodeTask, type TaskArrays } from '../../../benchmarks/datasets/task-file.js';

const task: TaskArrays = {
  standardise: false,
  pool: {
    images: Uint8Array.from([0, 255, 7, 9, 1, 2]),
    labels: Int32Array.from([0, 1, 1]),
    count: 3,
    height: 1,
    width: 2,
    channels: 1,
    classNames: ['a', 'b'],
  },
  test: {
    images: Float32Array.from([0.5, -1.25]),
    labels: Int32Array.from([1]),
    count: 1,
    height: 1,
    width: 2,
    channels: 1,
    classNames: ['a', 'b'],
  },
};

describe('task file', () => {
  it('gives back the same arrays, types and shapes, also from an unaligned buffer', () => {
    const bytes = encodeTask(task);
    const unaligned = Buffer.alloc(bytes.length + 1);
    bytes.copy(unaligned, 1);
    for (const input of [bytes, unaligned.subarray(1)]) {
      const back = decodeTask(input);
      expect(back).toEqual(task);
      expect(back.pool.images).toBeInstanceOf(Uint8Array);
      expect(back.test.images).toBeInstanceOf(Float32Array);
    }
  });

  it('refuses a truncated file and one that is not a task file', () => {
    const bytes = encodeTask(task);
    expect(() => decodeTask(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    expect(() => decodeTask(Buffer.from('hello world!'))).toThrow(/bad magic/);
  });
});
