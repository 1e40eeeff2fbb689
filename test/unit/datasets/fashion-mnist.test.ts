import { describe, expect, it } from 'vitest';
import { countPerClass } from '../../../benchmarks/datasets/labelled-images.js';
import { loadTask } from '../../../benchmarks/datasets/load-dataset.js';
import type { DatasetSource } from '../../../benchmarks/spec/suite-schema.js';
import { FASHION_MNIST_DIR, requireSystem } from '../../support/system.js';

const FASHION_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** The real files from Debian's dataset-fashion-mnist package. */
describe.skipIf(!requireSystem('fashion-mnist'))(`Fashion-MNIST from ${FASHION_MNIST_DIR}`, () => {
  it('loads 60,000 training and 10,000 test images and holds out a fixed, balanced test set', async () => {
    const source: DatasetSource = {
      kind: 'idx',
      dir: FASHION_MNIST_DIR,
      train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
      test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
      classNames: FASHION_NAMES,
    };
    const started = performance.now();
    const task = await loadTask(source, 100, { baseDir: '/tmp' });
    const seconds = (performance.now() - started) / 1000;
    console.log(`Fashion-MNIST loadTask: ${seconds.toFixed(2)} s`);
    expect(task.pool.count).toBe(60_000);
    expect(countPerClass(task.pool.labels, 10)).toEqual(new Array<number>(10).fill(6000));
    expect(task.test.count).toBe(1000);
    expect(countPerClass(task.test.labels, 10)).toEqual(new Array<number>(10).fill(100));
    expect([task.pool.height, task.pool.width, task.pool.channels]).toEqual([28, 28, 1]);
    expect(task.pool.classNames).toEqual(FASHION_NAMES);
    expect(task.description).toBe(
      'Fashion-MNIST in /usr/share/datasets/fashion-mnist, classes T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot: training pool 60000 (train files), test 1000 (100 per class from the test files, fixed), 28×28×1',
    );
    // The first training image of the standard files is an ankle boot (label 9).
    expect(task.pool.labels[0]).toBe(9);
    let max = 0;
    let sum = 0;
    // Images stay bytes (scaled to [0, 1] per batch).
    expect(task.pool.images).toBeInstanceOf(Uint8Array);
    for (const v of task.pool.images.subarray(0, 784 * 1000)) {
      if (v > max) max = v;
      sum += v;
    }
    expect(max).toBe(255);
    const mean = sum / 255 / (784 * 1000);
    expect(mean).toBeGreaterThan(0.25);
    expect(mean).toBeLessThan(0.32);
  });
});
