import { describe, expect, it } from 'vitest';
import { summarize } from '../../../benchmarks/analysis/summary-stats.js';
import { convergenceChart, dataEfficiencyChart, DEFAULT_FRAME } from '../../../benchmarks/report/charts.js';
import { logScale } from '../../../benchmarks/report/scale.js';
import { scenario } from '../analysis/scenario.js';
import { trial } from '../analysis/fixtures.js';

const count = (svg: string, pattern: RegExp) => (svg.match(pattern) ?? []).length;

describe('dataEfficiencyChart', () => {
  const { trials } = scenario();
  const accuracy = summarize(trials, 'testAccuracy');
  const svg = dataEfficiencyChart(accuracy, [
    { approach: 'finetune', crossover: { kind: 'reached', trainSize: 1000, atSmallestSize: false, gap: 0.005 } },
  ]);

  it('has one line and one band per approach and one point per approach and size', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, /<path[^>]*class="line"/g)).toBe(2);
    expect(count(svg, /<path[^>]*class="band"/g)).toBe(2);
    expect(count(svg, /<circle[^>]*class="point"[^>]*data-approach="scratch"/g)).toBe(3);
    expect(count(svg, /<circle[^>]*class="point"[^>]*data-approach="finetune"/g)).toBe(3);
    expect(count(svg, /class="crossover"/g)).toBe(1);
  });

  it('places the points on a log x axis', () => {
    const { width, margin } = DEFAULT_FRAME;
    const x = logScale([10, 1000], [margin.left + 10, width - margin.right - 10]);
    const cx = (size: number) =>
      Number(new RegExp(`cx="([\\d.]+)"[^>]*data-approach="scratch" data-size="${size}"`).exec(svg)![1]);
    expect(cx(10)).toBeCloseTo(x(10), 1);
    expect(cx(100)).toBeCloseTo(x(100), 1);
    expect(cx(100) - cx(10)).toBeCloseTo(cx(1000) - cx(100), 1);
  });

  it('puts higher accuracy higher up', () => {
    const cy = (approach: string, size: number) =>
      Number(new RegExp(`cy="([\\d.]+)"[^>]*data-approach="${approach}" data-size="${size}"`).exec(svg)![1]);
    expect(cy('finetune', 10)).toBeLessThan(cy('scratch', 10));
  });

  it('copes with one size and with no data', () => {
    const one = dataEfficiencyChart(summarize([trial('scratch', 50, 0.5)], 'testAccuracy'));
    expect(count(one, /class="point"/g)).toBe(1);
    expect(one).not.toContain('NaN');
    expect(dataEfficiencyChart([])).toContain('No results');
  });
});

describe('convergenceChart', () => {
  it('has one path per approach and no NaN', () => {
    const svg = convergenceChart(10, [
      {
        approach: 'scratch',
        points: [
          { epoch: 1, mean: 2, n: 3 },
          { epoch: 2, mean: 1, n: 3 },
        ],
      },
      { approach: 'finetune', points: [{ epoch: 1, mean: 0.5, n: 3 }] },
    ]);
    expect(count(svg, /<path[^>]*class="line"/g)).toBe(2);
    expect(svg).toContain('at 10 examples');
    expect(svg).not.toContain('NaN');
    expect(convergenceChart(10, [])).toContain('No training curves');
  });
});
