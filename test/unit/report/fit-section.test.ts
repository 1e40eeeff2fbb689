import { describe, expect, it } from 'vitest';
import { fitLearningCurves } from '../../../benchmarks/analysis/learning-curves.js';
import { powerLaw, type PowerLawParams } from '../../../benchmarks/analysis/power-law-fit.js';
import type { Approach, TrialRecord } from '../../../benchmarks/domain.js';
import { fitSection } from '../../../benchmarks/report/fit-section.js';
import { renderMarkdown } from '../../../benchmarks/report/document.js';
import { trial } from '../analysis/fixtures.js';

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
    const { dataEfficiencyChart } = await import('../../../benchmarks/report/charts.js');
    const { summarize } = await import('../../../benchmarks/analysis/summary-stats.js');
    const trials = [...curve('scratch', { a: 2, b: 0.5, c: 0.02 }), ...curve('finetune', { a: 0.8, b: 0.5, c: 0.02 })];
    const fits = fitLearningCurves(trials, 20).fits.flatMap((f) => (f.kind === 'fitted' ? [f] : []));
    const accuracy = summarize(trials, 'testAccuracy');
    const plain = dataEfficiencyChart(accuracy);
    const svg = dataEfficiencyChart(accuracy, [], [], undefined, fits);
    expect(plain).not.toContain('class="fit');
    expect(svg.match(/class="fit"/g)).toHaveLength(2);
    expect(svg.match(/class="fit-extrapolated"/g)).toHaveLength(2);
    expect(svg).toMatch(
      /class="fit-extrapolated" stroke-dasharray="5 4"|stroke-dasharray="5 4"[^>]*class="fit-extrapolated"/,
    );
    // The largest measured size's point moves left when the axis reaches 2,000.
    const pointX = (markup: string) => Number(/cx="([\d.]+)"[^>]*data-size="1000"/.exec(markup)![1]);
    expect(pointX(svg)).toBeLessThan(pointX(plain));
  });
});
