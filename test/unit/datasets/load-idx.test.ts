import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../benchmarks/errors.js';
import { countPerClass } from '../../../benchmarks/datasets/labelled-images.js';
import type { LabelledImages } from '../../../benchmarks/datasets/labelled-images.js';
import { loadDataset, loadTask } from '../../../benchmarks/datasets/load-dataset.js';
import type { DatasetSource } from '../../../benchmarks/spec/suite-schema.js';
import { idOf, interleavedLabels, makeTempDir, writeIdxPair } from './idx-fixtures.js';

const temp = makeTempDir();
afterAll(temp.cleanup);
const baseDir = temp.dir;

/** Train: 4 classes × 30 (ids 0..119); test: 4 classes × 10 (ids 1000..1039), in folder `data` under baseDir. */
const trainFiles = writeIdxPair(join(baseDir, 'data'), 'train', interleavedLabels(4, 30), { gzip: true });
const testFiles = writeIdxPair(join(baseDir, 'data'), 't10k', interleavedLabels(4, 10), { idBase: 1000 });
const source = (extra: Partial<Extract<DatasetSource, { kind: 'idx' }>> = {}): DatasetSource => ({
  kind: 'idx',
  dir: 'data',
  train: trainFiles,
  ...extra,
});

function ids(data: LabelledImages): number[] {
  return Array.from({ length: data.count }, (_, i) => idOf(data.images, i));
}

describe('loadDataset on IDX files', () => {
  it('resolves "dir" against the base folder and names classes by label value', async () => {
    const data = await loadDataset(source(), { baseDir });
    expect(data.count).toBe(120);
    expect(data.classNames).toEqual(['0', '1', '2', '3']);
    expect(ids(data)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect([...data.labels.subarray(0, 5)]).toEqual([0, 1, 2, 3, 0]);
    expect(data.images[2]).toBe(255); // bytes, scaled to [0, 1] per batch
  });

  it('remaps the chosen classes in the order given, with names indexed by label value', async () => {
    const data = await loadDataset(source({ classes: [3, 1], classNames: ['a', 'b', 'c', 'd'] }), { baseDir });
    expect(data.classNames).toEqual(['d', 'b']);
    expect(data.count).toBe(60);
    expect(countPerClass(data.labels, 2)).toEqual([30, 30]);
    for (let i = 0; i < data.count; i++) {
      expect(data.labels[i]).toBe(idOf(data.images, i) % 4 === 3 ? 0 : 1);
    }
  });

  it('includes the test files after the train files', async () => {
    const data = await loadDataset(source({ test: testFiles }), { baseDir });
    expect(data.count).toBe(160);
    expect(ids(data).slice(118, 122)).toEqual([118, 119, 1000, 1001]);
  });

  it('rejects classes the labels file does not have', async () => {
    const labels = join(baseDir, 'data', trainFiles.labels);
    await expect(loadDataset(source({ classes: [1, 7, 9] }), { baseDir })).rejects.toThrow(UserError);
    await expect(loadDataset(source({ classes: [1, 7, 9] }), { baseDir })).rejects.toThrow(
      `IDX labels file ${labels} has no examples of class 7, 9 asked for in "classes" (its labels are 0–3)`,
    );
  });

  it('rejects class names that do not cover every label value', async () => {
    await expect(loadDataset(source({ classNames: ['a', 'b', 'c'] }), { baseDir })).rejects.toThrow(
      /label 3 is out of range for "classNames", which names 3 label values \(0–2\)/,
    );
  });

  it('rejects test labels the train files never use', async () => {
    const odd = writeIdxPair(join(baseDir, 'data'), 'odd', [0, 1, 2, 3, 5]);
    await expect(loadDataset(source({ test: odd }), { baseDir })).rejects.toThrow(
      `IDX labels file ${join(baseDir, 'data', odd.labels)} has label 5, which the train labels file`,
    );
  });

  it('names the resolved path of a missing file', async () => {
    const missing = source({ train: { images: 'nope-images', labels: trainFiles.labels } });
    await expect(loadDataset(missing, { baseDir })).rejects.toThrow(
      `IDX images file not found: looked for ${join(baseDir, 'data', 'nope-images')}`,
    );
  });
});

describe('loadTask on IDX files', () => {
  it('without test files: holds out a fixed set per class, disjoint from the pool', async () => {
    const task = await loadTask(source(), 5, { baseDir });
    expect(task.test.count).toBe(20);
    expect(task.pool.count).toBe(100);
    expect(countPerClass(task.test.labels, 4)).toEqual([5, 5, 5, 5]);
    const testIds = ids(task.test);
    const poolIds = ids(task.pool);
    expect(new Set([...testIds, ...poolIds]).size).toBe(120);
    for (let i = 0; i < task.test.count; i++) expect(task.test.labels[i]).toBe(testIds[i]! % 4);
    expect(ids((await loadTask(source(), 5, { baseDir })).test)).toEqual(testIds);
    expect(testIds).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('with test files: draws the test set from them and pools all of train', async () => {
    const task = await loadTask(source({ test: testFiles, classes: [2, 0] }), 4, { baseDir });
    expect(task.pool.count).toBe(60);
    expect(ids(task.pool).every((id) => id < 120 && (id % 4 === 0 || id % 4 === 2))).toBe(true);
    expect(task.test.count).toBe(8);
    expect(countPerClass(task.test.labels, 2)).toEqual([4, 4]);
    const testIds = ids(task.test);
    expect(testIds.every((id) => id >= 1000 && id < 1040)).toBe(true);
    for (let i = 0; i < task.test.count; i++) expect(task.test.labels[i]).toBe(testIds[i]! % 4 === 2 ? 0 : 1);
    expect(ids((await loadTask(source({ test: testFiles, classes: [2, 0] }), 4, { baseDir })).test)).toEqual(testIds);
    expect(task.description).toBe(
      `IDX in ${join(baseDir, 'data')}, classes 2, 0: training pool 60 (train files), test 8 (4 per class from the test files, fixed), 4×4×1`,
    );
  });

  it('rejects a testPerClass the test files cannot supply, naming the class', async () => {
    await expect(
      loadTask(source({ test: testFiles, classNames: ['cat', 'dog', 'cow', 'hen'] }), 11, { baseDir }),
    ).rejects.toThrow(
      `IDX in ${join(baseDir, 'data')}, test files: class "cat" (label 0) has 10 examples, too few to hold out 11 for testing; lower testPerClass`,
    );
  });
});
