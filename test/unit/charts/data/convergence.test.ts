import { describe, expect, it } from 'vitest';
import {
  convergenceSeries,
  sizesWithCurves,
  type ConvergenceOptions,
} from '../../../../benchmarks/charts/data/convergence.js';
import { epochRow, trialRecord } from '../../../support/records.js';

describe('convergenceSeries', () => {
  const a = trialRecord({ approach: 'finetune', trainSize: 10, seed: 0 });
  const b = trialRecord({ approach: 'finetune', trainSize: 10, seed: 1, status: 'running' });
  const s = trialRecord({ approach: 'scratch', trainSize: 10, seed: 0 });
  const failed = trialRecord({ approach: 'scratch', trainSize: 10, seed: 1, status: 'failed' });
  const other = trialRecord({ approach: 'scratch', trainSize: 50, seed: 0 });
  const trials = [a, b, s, failed, other];
  const epochs = [
    epochRow(a, 1, { valLoss: 2, elapsedSeconds: 1 }),
    epochRow(a, 2, { valLoss: 1, elapsedSeconds: 2 }),
    epochRow(b, 1, { valLoss: 4, elapsedSeconds: 1.5 }),
    epochRow(s, 1, { valLoss: 3 }),
    epochRow(failed, 1, { valLoss: 100 }),
    epochRow(other, 1, { valLoss: 100 }),
  ];
  const base: ConvergenceOptions = {
    trainSize: 10,
    axis: 'epoch',
    band: 'minmax',
    smoothing: 0,
    metrics: ['loss'],
    splits: ['val'],
  };

  it('averages over the seeds that reached each epoch, leaving out failed trials and other sizes', () => {
    const series = convergenceSeries(trials, epochs, base);
    expect(series.map((c) => [c.approach, c.metric, c.split])).toEqual([
      ['scratch', 'loss', 'val'],
      ['finetune', 'loss', 'val'],
    ]);
    expect(series[0]!.points).toEqual([{ x: 1, n: 1, mean: 3, low: 3, high: 3 }]);
    expect(series[1]!.points).toEqual([
      { x: 1, n: 2, mean: 3, low: 2, high: 4 },
      { x: 2, n: 1, mean: 1, low: 1, high: 1 },
    ]);
  });

  it('aligns seeds on wall time by interpolation', () => {
    const finetune = convergenceSeries(trials, epochs, { ...base, axis: 'wall' })[1]!;
    // a: (1, 2) (2, 1) → 1.5 at t = 1.5; b: (1.5, 4) only
    expect(finetune.points.map((p) => [p.x, p.n, p.mean])).toEqual([
      [1, 1, 2],
      [1.5, 2, 2.75],
      [2, 1, 1],
    ]);
  });

  it('smooths each seed before averaging', () => {
    const finetune = convergenceSeries(trials, epochs, { ...base, smoothing: 0.5 })[1]!;
    // a smoothed: 2, (0.5·1 + 0.5·1)/0.75 = 1.3333
    expect(finetune.points[1]!.mean).toBeCloseTo(1 / 0.75, 12);
  });

  it('gives one series per metric and split, and keeps rows of trials not yet listed', () => {
    const newcomer = { ...epochRow(trialRecord({ approach: 'partial', trainSize: 10 }), 1), trialId: 999 };
    const series = convergenceSeries(trials, [...epochs, newcomer], {
      ...base,
      metrics: ['loss', 'accuracy'],
      splits: ['train', 'val'],
    });
    expect(series.filter((c) => c.approach === 'partial')).toHaveLength(4);
    expect(series).toHaveLength(12);
  });

  it('keeps the last row when an epoch arrives twice', () => {
    const series = convergenceSeries([a], [epochRow(a, 1, { valLoss: 9 }), epochRow(a, 1, { valLoss: 5 })], base);
    expect(series[0]!.points).toEqual([{ x: 1, n: 1, mean: 5, low: 5, high: 5 }]);
  });

  it('lists the sizes that have curves', () => {
    expect(sizesWithCurves(epochs)).toEqual([10, 50]);
  });
});
