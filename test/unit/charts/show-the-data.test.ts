/**
 * Charts that show their data (issue 21, charts; issue 20, bands): the bands are the analysis' intervals, the axes hold
 * every band, the last value run is a tick, a cross-validated trial's trainings are drawn one at a time, and compared
 * suites with the same numbers stay apart.
 */
import { describe, expect, it } from 'vitest';
import { accuracyInterval } from '../../../benchmarks/analysis/accuracy-interval.js';
import { summarize as summarizeGroups } from '../../../benchmarks/analysis/summary-stats.js';
import { compareEfficiencyOption, suiteDodge, suiteStroke } from '../../../benchmarks/charts/compare-option.js';
import { convergenceOption } from '../../../benchmarks/charts/convergence-option.js';
import {
  CURRENT_TRAINING,
  convergenceSeries,
  oneTraining,
  trainingsAt,
} from '../../../benchmarks/charts/data/convergence.js';
import { dataEfficiencySeries } from '../../../benchmarks/charts/data/data-efficiency.js';
import { summarize } from '../../../benchmarks/charts/data/stats.js';
import { efficiencyOption } from '../../../benchmarks/charts/efficiency-option.js';
import { linearTicks } from '../../../benchmarks/charts/extent.js';
import { chartPalette } from '../../../benchmarks/charts/palette.js';
import type { ChartOption, LineSeriesOption } from '../../../benchmarks/charts/chart-option.js';
import type { EpochRow, TrainingRun } from '../../../benchmarks/domain.js';
import { epochRow, trialRecord } from '../../support/records.js';

const palette = chartPalette('light');
const lines = (option: ChartOption) => option.series as LineSeriesOption[];
const axis = <T>(a: T | T[] | undefined): T => (Array.isArray(a) ? a[0]! : a!);

describe('bands from the analysis', () => {
  it("draws an accuracy's 95% band as the analysis' interval: seeds and test-set noise on the logit scale", () => {
    const values = [0.9, 1, 0.95];
    const band = summarize(values, 'ci95', { min: 0, max: 1 }, { accuracy: true, testExamples: 200 });
    expect(band).toMatchObject(accuracyInterval(values, 200));
    // never clipped: strictly inside (0, 1), where the old t-interval reached past 100% and was cut there
    expect(band.high).toBeLessThan(1);
    expect(band.low).toBeGreaterThan(0.5);
    // the test set's noise widens it; a single seed still has a band when the test set is known
    const seedsOnly = summarize(values, 'ci95', { min: 0, max: 1 }, { accuracy: true, testExamples: null });
    expect(band.high - band.low).toBeGreaterThan(0);
    expect(summarize([0.8], 'ci95', { min: 0, max: 1 }, { accuracy: true, testExamples: 100 }).high).toBeGreaterThan(
      0.8,
    );
    expect(seedsOnly).toMatchObject(accuracyInterval(values, null));
  });

  it('gives the data-efficiency chart the same interval as the tables and summary.csv', () => {
    const trials = [0.61, 0.64, 0.7].map((testAccuracy, seed) =>
      trialRecord({ approach: 'scratch', trainSize: 50, seed, testAccuracy }),
    );
    const [point] = dataEfficiencySeries(trials, 'testAccuracy', 'ci95', 500)[0]!.points;
    const [group] = summarizeGroups(trials, 'testAccuracy', 500);
    expect(point!.low).toBeCloseTo(group!.ciLow, 12);
    expect(point!.high).toBeCloseTo(group!.ciHigh, 12);
  });
});

describe('axes that hold the data', () => {
  it('makes the y range of the data-efficiency chart hold every band (none cut at the frame)', () => {
    const trials = [0.3, 0.9, 0.6, 0.95, 0.97, 0.96].map((testAccuracy, i) =>
      trialRecord({ approach: 'scratch', trainSize: i < 3 ? 10 : 100, seed: i % 3, testAccuracy }),
    );
    const series = dataEfficiencySeries(trials, 'testAccuracy', 'ci95', 100);
    const { option } = efficiencyOption({
      series,
      metric: 'testAccuracy',
      band: 'ci95',
      showSeeds: false,
      chance: null,
      palette,
      target: { kind: 'screen' },
    });
    const y = axis(option.yAxis) as { min: number; max: number };
    for (const p of series[0]!.points) {
      expect(p.low).toBeGreaterThanOrEqual(y.min);
      expect(p.high).toBeLessThanOrEqual(y.max);
    }
    expect(y.max).toBeLessThanOrEqual(1);
  });

  it('labels the last value run: data to 100 ends on a tick at 100, never one cramped beside it', () => {
    expect(linearTicks(100, true)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(linearTicks(97, true)).toEqual([0, 20, 40, 60, 80, 97]);
    // 101 would crowd 100: the nice tick gives way to the last value
    expect(linearTicks(101, true)).toEqual([0, 25, 50, 75, 101]);
    expect(linearTicks(3, true)).toEqual([0, 1, 2, 3]);
    expect(linearTicks(12.5)).toEqual([0, 2.5, 5, 7.5, 10, 12.5]);
    expect(linearTicks(0)).toEqual([0]);
  });

  it('puts those ticks on the convergence chart x axes', () => {
    const t = trialRecord({ approach: 'scratch', trainSize: 10, seed: 0 });
    const epochs = Array.from({ length: 100 }, (_, i) => epochRow(t, i + 1, { valLoss: 1 / (i + 1) }));
    const series = convergenceSeries([t], epochs, {
      trainSize: 10,
      axis: 'epoch',
      band: 'ci95',
      smoothing: 0,
      metrics: ['loss', 'accuracy'],
      splits: ['val'],
    });
    const { option } = convergenceOption({
      series,
      axis: 'epoch',
      band: 'ci95',
      logLoss: false,
      trainSize: 10,
      layout: 'row',
      palette,
      target: { kind: 'screen' },
    });
    for (const x of option.xAxis as { max: number; axisLabel: { customValues: number[] } }[]) {
      expect(x.max).toBe(100);
      expect(x.axisLabel.customValues).toEqual([0, 20, 40, 60, 80, 100]);
    }
  });
});

describe('one training of a trial at a time (candidates, folds, the final fit)', () => {
  const t = trialRecord({ approach: 'scratch', trainSize: 10, seed: 0, status: 'running' });
  const run = (index: number, fold: number, epoch: number, kind: TrainingRun['kind'] = 'fold'): TrainingRun => ({
    kind,
    index,
    learningRate: kind === 'final' ? 0.001 : [0.001, 0.003][Math.floor(index / 2)]!,
    ...(kind === 'fold' ? { fold, folds: 2 } : {}),
    epoch,
  });
  // two candidates × two folds, 3 epochs each, then the final fit: the progress epoch runs on, 1 to 15
  const live: EpochRow[] = [];
  for (let index = 0; index < 5; index++)
    for (let e = 1; e <= 3; e++)
      live.push(
        epochRow(t, index * 3 + e, {
          valLoss: 10 * index + e,
          elapsedSeconds: index * 3 + e,
          run: index < 4 ? run(index, (index % 2) + 1, e) : run(4, 0, e, 'final'),
        }),
      );

  it('draws the training under way by default, counted from its own start: no sawtooth over every fold', () => {
    expect(oneTraining(live, CURRENT_TRAINING).map((r) => [r.epoch, r.valLoss, r.elapsedSeconds])).toEqual([
      [1, 41, 1],
      [2, 42, 2],
      [3, 43, 3],
    ]);
    const [series] = convergenceSeries([t], live, {
      trainSize: 10,
      axis: 'epoch',
      band: 'ci95',
      smoothing: 0,
      metrics: ['loss'],
      splits: ['val'],
    });
    expect(series!.points.map((p) => p.x)).toEqual([1, 2, 3]);
  });

  it('lists every training seen, in the order trained, and draws the one picked', () => {
    const picks = trainingsAt(live, 10);
    expect(picks.map((p) => p.label)).toEqual([
      'lr 0.001 · fold 1 of 2',
      'lr 0.001 · fold 2 of 2',
      'lr 0.003 · fold 1 of 2',
      'lr 0.003 · fold 2 of 2',
      'final fit on the whole subset, lr 0.001',
    ]);
    expect(oneTraining(live, picks[2]!.key).map((r) => [r.epoch, r.valLoss])).toEqual([
      [1, 21],
      [2, 22],
      [3, 23],
    ]);
  });

  it('draws the stored (chosen) curve of a finished trial by default, its live trainings only when picked', () => {
    const stored = [1, 2].map((e) => epochRow(t, e, { valLoss: 0.5 }));
    const rows = [...live, ...stored];
    expect(oneTraining(rows, CURRENT_TRAINING)).toEqual(stored);
    expect(oneTraining(stored, trainingsAt(live, 10)[0]!.key)).toEqual([]);
  });
});

describe('compared suites with the same numbers', () => {
  it('sets their points apart and draws the first broad and pale, the others thin and dashed over it', () => {
    expect(suiteDodge(0, 1)).toBe(1);
    expect(suiteDodge(0, 2)).toBeLessThan(1);
    expect(suiteDodge(1, 2)).toBeGreaterThan(1);
    expect(suiteDodge(0, 2) * suiteDodge(1, 2)).toBeCloseTo(1, 12);
    const points = [{ trainSize: 100, n: 3, mean: 0.9, low: 0.88, high: 0.92 }];
    const { option } = compareEfficiencyOption({
      series: [
        { suite: 'quick #1', suiteIndex: 0, approach: 'scratch', points },
        { suite: 'quick #2', suiteIndex: 1, approach: 'scratch', points },
      ],
      metric: 'testAccuracy',
      band: 'none',
      chance: null,
      palette,
      target: { kind: 'screen' },
    });
    const [first, second] = lines(option);
    const x = (s: LineSeriesOption) => (s.data as number[][])[0]![0]!;
    expect(x(first!)).not.toBe(x(second!));
    expect(first!.lineStyle).toMatchObject({ ...suiteStroke(0, 2), type: 'solid' });
    expect(second!.lineStyle).toMatchObject({ ...suiteStroke(1, 2), type: 'dashed' });
    expect(second!.z).toBeGreaterThan(first!.z!);
    expect(suiteStroke(0, 2).width).toBeGreaterThan(suiteStroke(1, 2).width);
  });
});
