import { describe, expect, it } from 'vitest';
import { analyzeSuite } from '../../../benchmarks/analysis/analyze-suite.js';
import type { ChartOption, LineSeriesOption } from '../../../benchmarks/charts/chart-option.js';
import { echarts } from '../../../benchmarks/charts/echarts-setup.js';
import type { Approach } from '../../../benchmarks/domain.js';
import {
  REPORT_CHART_SIZE,
  convergenceChart,
  convergenceChartOption,
  dataEfficiencyChart,
  dataEfficiencyOption,
} from '../../../benchmarks/report/charts.js';
import { scenario } from '../analysis/scenario.js';
import { suite, trial } from '../../support/records.js';

function lineSeries(option: { series?: unknown }): LineSeriesOption[] {
  return (option.series as LineSeriesOption[]).filter((s) => s.type === 'line');
}

/** Where ECharts puts a data point of the option, in pixels of the report's chart (server-side, no DOM). */
function pixels(option: ChartOption): (point: [number, number]) => [number, number] {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...REPORT_CHART_SIZE });
  chart.setOption(option);
  return (point) => chart.convertToPixel({ gridIndex: 0 }, point) as [number, number];
}

describe('the report draws the data-efficiency chart with the app’s chart definition', () => {
  const { suite: s, trials, epochs } = scenario();
  const analysis = analyzeSuite(s, trials, epochs);
  const { option, marks } = dataEfficiencyOption(analysis, s, trials, 10);
  const { svg } = dataEfficiencyChart(analysis, s, trials, 10);

  it('has a mean line with one point per size and a band per approach, and is an SVG document', () => {
    const means = lineSeries(option).filter((l) => l.symbol === 'circle');
    expect(means.map((l) => [l.name, (l.data as unknown[]).length])).toEqual([
      ['scratch', 3],
      ['finetune', 3],
    ]);
    expect(lineSeries(option).filter((l) => l.areaStyle !== undefined)).toHaveLength(2);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(`viewBox="0 0 ${REPORT_CHART_SIZE.width} ${REPORT_CHART_SIZE.height}"`);
    expect(svg).toContain('Data efficiency');
    expect(svg).not.toContain('NaN');
  });

  it('places the sizes on a log axis and higher accuracy higher up', () => {
    expect((option.xAxis as { type: string }).type).toBe('log');
    const at = pixels(option);
    const [x10, y10] = at([10, 0.7]);
    const [x100] = at([100, 0.7]);
    const [x1000, y1000] = at([1000, 0.3]);
    expect(x100 - x10).toBeCloseTo(x1000 - x100, 6);
    expect(y10).toBeLessThan(y1000);
  });

  it('marks the crossover and the data-multiplier arrow of the analysis, labelled in the SVG', () => {
    // Crossover at 1,000 (hand-worked in scenario.ts); scratch reaches fine-tuning's 0.7 at 10 at about 316 examples.
    expect(marks.map((m) => [m.kind, m.approach])).toEqual([
      ['crossover', 'finetune'],
      ['multiplier', 'finetune'],
    ]);
    const marked = lineSeries(option).filter((l) => l.markLine !== undefined && (l.data as unknown[]).length === 0);
    expect(marked.map((l) => l.markLine!.data)).toEqual([
      [{ xAxis: 1000 }],
      [[{ coord: [10, expect.closeTo(0.7, 10)] }, { coord: [expect.closeTo(316.23, 2), expect.closeTo(0.7, 10)] }]],
    ]);
    expect(svg).toContain('finetune ≈ scratch from 1,000');
    expect(svg).toContain('×32 data');
  });
});

describe('data-multiplier arrows on the report’s chart', () => {
  /**
   * One seed per approach and size. Scratch 0.5 / 0.7 / 0.9 at 10 / 100 / 1,000.
   * - finetune 0.6 / 0.8 / 0.95: scratch reaches 0.6 at 10^1.5 = 31.62 (×3.2); 0.95 at 1,000 is a bound.
   * - linear-probe 0.45 / 0.65 / 0.85: scratch ahead everywhere.
   * - partial 0.55 / 0.95 at 10 / 100: matched at 10^1.25 = 17.78 (×1.8) at 10; a bound at 100.
   */
  const bySize: Partial<Record<Approach, Record<number, number>>> = {
    scratch: { 10: 0.5, 100: 0.7, 1000: 0.9 },
    finetune: { 10: 0.6, 100: 0.8, 1000: 0.95 },
    'linear-probe': { 10: 0.45, 100: 0.65, 1000: 0.85 },
    partial: { 10: 0.55, 100: 0.95 },
  };
  const trials = Object.entries(bySize).flatMap(([approach, curve]) =>
    Object.entries(curve).map(([size, accuracy]) => trial(approach as Approach, Number(size), accuracy)),
  );
  const s = suite({
    sizes: [10, 100, 1000],
    seeds: [0],
    approaches: {
      scratch: { learningRate: 0.001, epochs: 5 },
      finetune: { learningRate: 0.001, epochs: 5 },
      'linear-probe': { learningRate: 0.001, epochs: 5 },
      partial: { learningRate: 0.001, epochs: 5, trainableBlocks: 1 },
    },
  });
  const analysis = analyzeSuite(s, trials, []);
  const arrows = (size: number | null) =>
    dataEfficiencyChart(analysis, s, trials, size).marks.filter((m) => m.kind === 'multiplier');

  it('draws an arrow at the variant accuracy from N to where scratch reaches it, labelled with the multiplier', () => {
    const drawn = arrows(10);
    expect(drawn.map((a) => [a.approach, a.from, Number(a.to.toFixed(2)), a.accuracy, a.label])).toEqual([
      ['finetune', 10, 31.62, 0.6, '×3.2 data'],
      ['partial', 10, 17.78, 0.55, '×1.8 data'],
    ]);
    const { svg } = dataEfficiencyChart(analysis, s, trials, 10);
    expect(svg).toContain('×3.2 data');
    expect(svg).toContain('×1.8 data');
  });

  it('draws no arrow for bounds or where scratch is ahead', () => {
    expect(arrows(100).map((a) => a.approach)).toEqual(['finetune']);
    expect(arrows(1000)).toEqual([]);
    expect(arrows(null)).toEqual([]);
    expect(dataEfficiencyChart(analysis, s, trials, 1000).svg).not.toContain('data</text>');
  });
});

describe('the report’s convergence chart', () => {
  it('draws the app’s validation curves at the size the analysis picked, without NaN', () => {
    const { suite: s, trials, epochs } = scenario();
    const option = convergenceChartOption(s, trials, epochs, 10);
    const drawn = lineSeries(option).filter((l) => l.stack === undefined && (l.data as unknown[]).length > 0);
    // One mean line per approach in each panel (validation loss and validation accuracy).
    expect(drawn.map((l) => l.name).sort()).toEqual(['finetune', 'finetune', 'scratch', 'scratch']);
    const svg = convergenceChart(s, trials, epochs, 10);
    expect(svg).toContain('validation curves at 10 examples');
    expect(svg).not.toContain('NaN');
  });
});
