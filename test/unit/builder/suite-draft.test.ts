import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectData, type DataInspection } from '../../../benchmarks/builder/inspect-data.js';
import {
  budgets,
  chooseTestPerClass,
  draftSuite,
  logSizes,
  poolSize,
  smallestSize,
  suiteName,
} from '../../../benchmarks/builder/suite-draft.js';
import { UserError } from '../../../benchmarks/errors.js';

const IRIS = resolve(import.meta.dirname, '..', '..', 'fixtures', 'iris.csv');

const folder = (counts: number[]): DataInspection => ({
  kind: 'folder',
  path: '/data/photos',
  classes: counts.map((count, i) => ({ name: `c${i}`, count })),
  imageSize: [32, 32],
  channels: 3,
  skipped: [],
  ignored: 0,
  excluded: [],
  samples: [],
});

describe('suite drafting', () => {
  it('spaces sizes logarithmically on easy numbers, from the smallest to the whole pool', () => {
    expect(logSizes(25, 4500)).toEqual([25, 50, 100, 250, 500, 1000, 2000, 4500]);
    expect(logSizes(15, 120)).toEqual([15, 25, 50, 120]);
    // the 20, 25, 50, 100, 128: no near-duplicates
    expect(logSizes(20, 128)).toEqual([20, 50, 128]);
    expect(logSizes(10, 10)).toEqual([10]);
    for (const [min, max] of [
      [6, 37],
      [50, 49_000],
      [10, 11],
    ] as const) {
      const sizes = logSizes(min, max);
      expect(sizes[0]).toBe(min);
      expect(sizes[sizes.length - 1]).toBe(max);
      expect(sizes.every((v, i) => i === 0 || v > sizes[i - 1]!)).toBe(true);
      // neighbours at least ×1.5 apart, but for the only two sizes of a narrow range
      if (sizes.length > 2) expect(sizes.every((v, i) => i === 0 || v / sizes[i - 1]! >= 1.5)).toBe(true);
    }
  });

  it('holds out 20% of the smallest class for testing, at most 100, leaving 2 to train', () => {
    expect(chooseTestPerClass(folder([1000, 800]))).toBe(100);
    expect(chooseTestPerClass(folder([50, 40]))).toBe(8);
    expect(chooseTestPerClass(folder([4, 40]))).toBe(1);
    expect(() => chooseTestPerClass(folder([2, 40]))).toThrow(UserError);
    expect(() => chooseTestPerClass(folder([2, 40]))).toThrow(
      'class "c0" of /data/photos has 2 examples: each class needs at least 3',
    );
  });

  it('starts at 5 examples per class, or fewer when a class cannot spare them', () => {
    expect(smallestSize(folder([1000, 800, 900]), 100)).toBe(15);
    expect(smallestSize(folder([6, 40]), 1)).toBe(2 * 5);
    expect(smallestSize(folder([4, 40]), 1)).toBe(2 * 3);
    expect(poolSize(folder([1000, 800, 900]), 100)).toBe(2400);
  });

  it('caps epochs by the largest size and gives every approach the same cap', () => {
    expect(budgets(4500, true).scratch!.epochs).toBe(40);
    expect(budgets(40_000, true).finetune!.epochs).toBe(10);
    expect(Object.keys(budgets(100, true))).toEqual(['scratch', 'finetune', 'linear-probe', 'partial']);
    expect(Object.keys(budgets(100, false))).toEqual(['scratch']);
  });

  it('writes an MLP suite for the iris table with paths relative to the suite file', async () => {
    const target = await inspectData(IRIS);
    expect(target).toMatchObject({
      kind: 'csv',
      label: 'species',
      features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
    });
    const spec = draftSuite({ target, suiteDir: resolve(IRIS, '..') });
    expect(spec.architecture).toBe('mlp');
    expect(spec.target).toEqual({
      dataset: {
        kind: 'csv',
        path: 'iris.csv',
        label: 'species',
        features: target.kind === 'csv' ? target.features : [],
      },
      testPerClass: 10,
    });
    expect(spec.sizes).toEqual([15, 25, 50, 120]);
    expect(spec.seeds).toEqual([0, 1, 2]);
    expect(Object.keys(spec.approaches)).toEqual(['scratch']);
    expect(spec.name).toBe('iris');
    const elsewhere = draftSuite({ target, suiteDir: '/tmp/suites' });
    expect(elsewhere.target.dataset).toMatchObject({ path: IRIS });
  });

  it('names a suite after its data', () => {
    expect(suiteName('/home/me/My Photos/')).toBe('My-Photos');
    expect(suiteName('/x/measurements.csv')).toBe('measurements');
  });
});
