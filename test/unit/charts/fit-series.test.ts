import { describe, expect, it } from 'vitest';
import { fitLearningCurves } from '../../../benchmarks/analysis/learning-curves.js';
import { powerLaw } from '../../../benchmarks/analysis/power-law-fit.js';
import type { Approach } from '../../../benchmarks/domain.js';
import { dataEfficiencySeries } from '../../../benchmarks/charts/data/data-efficiency.js';
import { efficiencyOption, efficiencyTooltip } from '../../../benchmarks/charts/efficiency-option.js';
import { fitSeries, type FitLine } from '../../../benchmarks/charts/fit-series.js';
import { chartPalette } from '../../../benchmarks/charts/palette.js';
import { seedTrials } from '../../support/records.js';

const SIZES = [10, 50, 250, 1000];
const trials = (['scratch', 'finetune'] as Approach[]).flatMap((approach, i) =>
  SIZES.flatMap((n) => seedTrials(approach, n, [1 - powerLaw({ a: 2 - i, b: 0.5, c: 0.02 }, n)])),
);
const fits: FitLine[] = fitLearningCurves(trials, 20).fits.flatMap((f) => (f.kind === 'fitted' ? [f] : []));
const palette = chartPalette('light');

describe('fitted learning curves on the data-efficiency chart', () => {
  it('draws each fit solid over the sizes run and dashed beyond, meeting at the largest size', () => {
    const series = fitSeries(fits, palette);
    expect(series.map((s) => s.id)).toEqual([
      'fit:scratch',
      'fit-extrapolated:scratch',
      'fit:finetune',
      'fit-extrapolated:finetune',
    ]);
    const solid = series[0]!.data as number[][];
    const dashed = series[1]!.data as number[][];
    expect(solid[0]![0]).toBe(10);
    expect(solid[solid.length - 1]![0]).toBe(1000);
    expect(dashed[0]).toEqual(solid[solid.length - 1]);
    expect(dashed[dashed.length - 1]![0]).toBe(2000);
    expect(series[0]!.lineStyle?.type).toBeUndefined();
    expect(series[1]!.lineStyle?.type).toEqual([5, 4]);
    expect(series.every((s) => s.name === String(s.id).split(':')[1] && s.silent)).toBe(true);
  });

  const input = {
    series: dataEfficiencySeries(trials, 'testAccuracy', 'ci95'),
    metric: 'testAccuracy' as const,
    band: 'ci95' as const,
    showSeeds: false,
    chance: null,
    palette,
    target: { kind: 'screen' as const },
  };

  it('adds the fits to the accuracy chart and widens the size axis to the extrapolated end', () => {
    const without = efficiencyOption(input);
    const withFits = efficiencyOption({ ...input, fits });
    const count = (o: typeof without) => (o.option.series as unknown[]).length;
    expect(count(withFits) - count(without)).toBe(4);
    expect((withFits.option.xAxis as { max: number }).max).toBeCloseTo(2000 * 1.25, 6);
    expect((without.option.xAxis as { max: number }).max).toBeCloseTo(1000 * 1.25, 6);
    expect(withFits.drawn).toEqual(without.drawn);
  });

  it('leaves them off the loss chart, which they do not describe', () => {
    const loss = { ...input, metric: 'testLoss' as const, series: dataEfficiencySeries(trials, 'testLoss', 'ci95') };
    const a = efficiencyOption(loss);
    const b = efficiencyOption({ ...loss, fits });
    expect((b.option.series as unknown[]).length).toBe((a.option.series as unknown[]).length);
  });

  it('reads the tooltip at the measured size nearest the pointer', () => {
    expect(efficiencyTooltip(input, 260)).toContain('250 training examples');
    expect(efficiencyTooltip(input, 1700)).toContain('1000 training examples');
  });
});
