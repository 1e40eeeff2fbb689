import { describe, expect, it } from 'vitest';
import { fitLearningCurves } from '../../../benchmarks/analysis/learning-curves.js';
import { powerLaw, type PowerLawParams } from '../../../benchmarks/analysis/power-law-fit.js';
import type { Approach, TrialRecord } from '../../../benchmarks/domain.js';
import { fitSection } from '../../../benchmarks/report/fit-section.js';
import { renderMarkdown } from '../../../benchmarks/report/document.js';
import { trial } from '../../support/records.js';

const SIZES = [10, 25, 50, 100, 250, 500, 1000];
const curve = (approach: Approach, p: PowerLawParams, sizes = SIZES): TrialRecord[] =>
  sizes.flatMap((n) => [-0.004, 0, 0.004].map((d, seed) => trial(approach, n, 1 - powerLaw(p, n) + d, { seed })));

describe('fitSection', () => {
  const fits = fitLearningCurves(
    [
      ...curve('scratch', { a: 2, b: 0.5, c: 0.02 }),
      ...curve('finetune', { a: 0.8, b: 0.5, c: 0.02 }),
      ...curve('linear-probe', { a: 0.5, b: 0.5, c: 0 }),
      ...curve('partial', { a: 1, b: 0.5, c: 0.02 }, [10, 100, 1000]),
    ],
    100,
  );
  const text = renderMarkdown({ title: 't', blocks: fitSection(fits) });

  it('lists each approach’s parameters, or why it has none', () => {
    expect(text).toContain('| scratch | 2.00 (');
    expect(text).toMatch(/partial fine-tuning \| not fitted .*this curve has 3/);
    expect(text).toContain('100 resamples of the 3 seeds; 3 seeds allow only 10 different resamples');
  });

  it('gives multipliers from the fit and from interpolation, and marks extrapolations and never', () => {
    // Fine-tuning at 50: scratch's fit matches at 312.5 examples, 6.25×, 262.5 more examples.
    expect(text).toMatch(/\| fine-tuning \| 50 \| 6\.2× \(.*\) \| 262 \(/);
    expect(text).toMatch(/\| fine-tuning \| 500 \| 6\.2× .*, extrapolated beyond the largest size run/);
    expect(text).toMatch(/\| the linear probe \| 1,000 \| never/);
    expect(text).toMatch(/more than 1×/);
  });
});

describe('the report chart with fitted curves', () => {
  it('draws each fit solid over the sizes run and dashed beyond, and widens the axis to the fit’s end', async () => {
    const { dataEfficiencyOption } = await import('../../../benchmarks/report/charts.js');
    const { analyzeSuite } = await import('../../../benchmarks/analysis/analyze-suite.js');
    const { suite } = await import('../../support/records.js');
    const trials = [...curve('scratch', { a: 2, b: 0.5, c: 0.02 }), ...curve('finetune', { a: 0.8, b: 0.5, c: 0.02 })];
    const s = suite({ sizes: SIZES });
    const analysis = analyzeSuite(s, trials, []);
    const withFits = dataEfficiencyOption(analysis, s, trials, null).option;
    const plain = dataEfficiencyOption(
      { ...analysis, learningCurves: { ...analysis.learningCurves, fits: [] } },
      s,
      trials,
      null,
    ).option;
    const ids = (option: typeof plain) =>
      (option.series as { id?: string }[]).flatMap((series) => (series.id ? [series.id] : []));
    expect(ids(plain)).toEqual([]);
    expect(ids(withFits)).toEqual([
      'fit:scratch',
      'fit-extrapolated:scratch',
      'fit:finetune',
      'fit-extrapolated:finetune',
    ]);
    const dashed = (withFits.series as { id?: string; lineStyle?: { type?: unknown } }[]).filter((series) =>
      series.id?.startsWith('fit-extrapolated'),
    );
    expect(dashed.every((series) => Array.isArray(series.lineStyle?.type))).toBe(true);
    // The size axis reaches the fits' extrapolated end beyond the largest size run.
    const max = (option: typeof plain) => (option.xAxis as { max: number }).max;
    expect(max(withFits)).toBeGreaterThan(max(plain));
  });
});
