import { describe, expect, it } from 'vitest';
import { compareSuites, type SuiteToCompare } from '../../../benchmarks/analysis/compare-suites.js';
import {
  compareEfficiencyOption,
  comparedSeriesName,
  legendRows,
  compareTooltip,
  SUITE_STYLES,
  suiteDodge,
  type CompareChartInput,
} from '../../../benchmarks/charts/compare-option.js';
import type { LineSeriesOption } from '../../../benchmarks/charts/chart-option.js';
import { comparedSeries, comparedSourceNames } from '../../../benchmarks/charts/data/compared-series.js';
import { armColour, chartPalette } from '../../../benchmarks/charts/palette.js';
import { renderSvg } from '../../../benchmarks/report/charts.js';
import type { TrialRecord } from '../../../benchmarks/domain.js';
import { suite, trials } from '../../support/records.js';

function finished(id: number, lift: number, sizes = [10, 100]): SuiteToCompare {
  const own = (list: TrialRecord[]) => list.map((t) => ({ ...t, suiteId: id }));
  return {
    suite: suite({ sizes }, { id }),
    baseDir: '/suites',
    trials: sizes.flatMap((n, i) => [
      ...own(trials('scratch', n, [0.5 + 0.2 * i, 0.54 + 0.2 * i])),
      ...own(trials('finetune', n, [0.6 + lift + 0.1 * i, 0.62 + lift + 0.1 * i])),
    ]),
    epochs: [],
  };
}

const palette = chartPalette('light');
const comparison = compareSuites([finished(3, 0), finished(7, 0.1, [10, 100, 1000])], { bootstrapReplicates: 10 });

function input(overrides: Partial<CompareChartInput> = {}): CompareChartInput {
  return {
    series: comparedSeries(comparison.suites, 'testAccuracy', 'ci95'),
    metric: 'testAccuracy',
    band: 'ci95',
    chance: 0.2,
    palette,
    target: { kind: 'screen' },
    ...overrides,
  };
}

const means = (option: ReturnType<typeof compareEfficiencyOption>['option']): LineSeriesOption[] =>
  (option.series as LineSeriesOption[]).filter((s) => String(s.id).startsWith('mean:'));

describe('the data-efficiency chart of compared suites', () => {
  it("takes each suite's summaries: means and 95% intervals as its analysis gives them", () => {
    const series = comparedSeries(comparison.suites, 'testAccuracy', 'ci95');
    expect(series.map((s) => [s.suite, s.suiteIndex, s.approach, s.points.length])).toEqual([
      ['unit #3', 0, 'scratch', 2],
      ['unit #3', 0, 'finetune', 2],
      ['unit #7', 1, 'scratch', 3],
      ['unit #7', 1, 'finetune', 3],
    ]);
    const group = comparison.suites[1]!.analysis.accuracy.find(
      (g) => g.approach === 'finetune' && g.trainSize === 100,
    )!;
    expect(series[3]!.points[1]).toEqual({
      trainSize: 100,
      n: 2,
      mean: group.mean,
      low: group.ciLow,
      high: group.ciHigh,
    });
    const range = comparedSeries(comparison.suites, 'testAccuracy', 'minmax');
    expect(range[3]!.points[1]).toMatchObject({ low: group.min, high: group.max });
    const loss = comparedSeries(comparison.suites, 'testLoss', 'ci95');
    expect(loss).toEqual([]); // these records have no test loss
  });

  it('draws a series per suite and approach: colour by approach, line style and marker by suite, named for both', () => {
    const { option, drawn } = compareEfficiencyOption(input());
    expect(drawn).toEqual([
      { name: 'unit #3 · scratch', points: 2 },
      { name: 'unit #3 · finetune', points: 2 },
      { name: 'unit #7 · scratch', points: 3 },
      { name: 'unit #7 · finetune', points: 3 },
    ]);
    const lines = means(option);
    expect(lines.map((s) => [s.color, s.lineStyle?.type, s.symbol])).toEqual([
      [palette.approach.scratch, SUITE_STYLES[0]!.line, SUITE_STYLES[0]!.symbol],
      [palette.approach.finetune, SUITE_STYLES[0]!.line, SUITE_STYLES[0]!.symbol],
      [palette.approach.scratch, SUITE_STYLES[1]!.line, SUITE_STYLES[1]!.symbol],
      [palette.approach.finetune, SUITE_STYLES[1]!.line, SUITE_STYLES[1]!.symbol],
    ]);
    expect(lines[3]!.data).toEqual(
      // the second of two suites is drawn at its sizes × suiteDodge(1, 2), beside the first
      comparison.suites[1]!.analysis.accuracy.filter((g) => g.approach === 'finetune').map((g) => [
        g.trainSize * suiteDodge(1, 2),
        g.mean,
      ]),
    );
    const legend = option.legend as { data: string[]; icon?: string };
    expect(legend.data).toEqual(drawn.map((d) => d.name));
    // No common legend icon: each entry shows its series' own line style and marker.
    expect(legend.icon).toBeUndefined();
    // The x axis ticks at every size any suite ran.
    expect((option.xAxis as { axisTick: { customValues: number[] } }).axisTick.customValues).toEqual([10, 100, 1000]);
    expect(lines[0]!.markLine?.data).toEqual([{ yAxis: 0.2 }]);
  });

  it('gives every suite up to eight its own look, and draws bands only when asked', () => {
    const looks = SUITE_STYLES.map((s) => JSON.stringify([s.line, s.symbol]));
    expect(new Set(looks).size).toBe(8);
    expect(new Set(SUITE_STYLES.map((s) => s.symbol)).size).toBe(8);
    const banded = compareEfficiencyOption(input()).option.series as LineSeriesOption[];
    const bands = banded.filter((s) => String(s.id).startsWith('band:'));
    expect(bands).toHaveLength(4);
    const band = bands[1]!;
    expect(band.stack).toBe('band:unit #3 · finetune');
    expect(band.name).toBe('unit #3 · finetune'); // hidden with its line from the legend
    const none = compareEfficiencyOption(input({ band: 'none' })).option.series as LineSeriesOption[];
    expect(none).toHaveLength(4);
  });

  it('lists every suite and approach measured at the hovered size in the tooltip, best first, names escaped', () => {
    const html = compareTooltip(input(), 900);
    expect(html).toContain('1000 training examples');
    expect(html).toContain('unit #7 · finetune');
    expect(html).not.toContain('unit #3'); // suite 3 stopped at 100 examples
    const at100 = compareTooltip(input(), 100);
    expect(at100.indexOf('unit #7 · finetune')).toBeLessThan(at100.indexOf('unit #3 · scratch'));
    const named = compareTooltip(input({ series: input().series.map((s) => ({ ...s, suite: '<b>x</b> #1' })) }), 10);
    expect(named).toContain('&lt;b&gt;x&lt;/b&gt; #1');
  });

  it('renders to SVG on the server for a report (export target: titled, no tooltip)', () => {
    const { option } = compareEfficiencyOption(
      input({ target: { kind: 'export', title: 'Compared', subtitle: 'unit #3 and unit #7' } }),
    );
    expect(option.tooltip).toEqual({ show: false });
    const svg = renderSvg(option);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('unit #7 · finetune');
    expect(svg).toContain('Compared');
  });

  it('draws each approach of a suite with several sources once per source, named for suite, approach and source', () => {
    const sourced: SuiteToCompare = {
      suite: suite(
        {
          pretrain: undefined,
          sources: [
            { name: 'fashion', pretrain: { dataset: { kind: 'mnist', classes: [0, 1] }, epochs: 1 } },
            { name: 'digits', pretrain: { dataset: { kind: 'mnist', classes: [0, 1, 2, 3, 4] }, epochs: 1 } },
          ],
          sizes: [10, 100],
        },
        { id: 9 },
      ),
      baseDir: '/suites',
      trials: [
        ...trials('scratch', 10, [0.5, 0.52]),
        ...trials('scratch', 100, [0.7, 0.72]),
        ...trials('finetune', 10, [0.6, 0.62]).map((t) => ({ ...t, source: 'fashion' })),
        ...trials('finetune', 100, [0.75, 0.77]).map((t) => ({ ...t, source: 'fashion' })),
        ...trials('finetune', 10, [0.66, 0.68]).map((t) => ({ ...t, source: 'digits' })),
        ...trials('finetune', 100, [0.8, 0.82]).map((t) => ({ ...t, source: 'digits' })),
      ].map((t) => ({ ...t, suiteId: 9 })),
      epochs: [],
    };
    const both = compareSuites([finished(3, 0), sourced], { bootstrapReplicates: 10 });
    const series = comparedSeries(both.suites, 'testAccuracy', 'ci95');
    expect(comparedSourceNames(both.suites)).toEqual(['fashion', 'digits']);
    const shaded = chartPalette('light', comparedSourceNames(both.suites));
    const { option, drawn } = compareEfficiencyOption(input({ series, palette: shaded }));
    expect(drawn.map((d) => d.name)).toEqual([
      'unit #3 · scratch',
      'unit #3 · finetune',
      'unit #9 · scratch',
      'unit #9 · finetune · fashion',
      'unit #9 · finetune · digits',
    ]);
    // Colour by approach, a further source in the palette's shade of it; the suite's own line style and marker.
    const lines = means(option);
    expect(lines.map((l) => l.color)).toEqual([
      shaded.approach.scratch,
      shaded.approach.finetune,
      shaded.approach.scratch,
      armColour(shaded, { approach: 'finetune', source: 'fashion' }),
      armColour(shaded, { approach: 'finetune', source: 'digits' }),
    ]);
    expect(lines[3]!.color).toBe(shaded.approach.finetune);
    expect(lines[4]!.color).not.toBe(shaded.approach.finetune);
    expect(lines.slice(2).every((l) => l.symbol === SUITE_STYLES[1]!.symbol)).toBe(true);
    const digits = series.find((s) => s.source === 'digits')!;
    expect(digits.points.map((p) => p.mean)).toEqual([0.67, 0.81].map((v) => expect.closeTo(v, 10)));
  });

  it('makes room under the plot for every row the legend wraps into at the chart’s width', () => {
    const names = Array.from({ length: 6 }, (_, i) => `suite-${i} #${i} · finetune`); // 23 characters each
    // Each entry about 28 + 5 + 23 × 7 = 194 px, 18 px apart, across the width less 2 × 16 px.
    expect(legendRows(names, 1000)).toBe(2);
    expect(legendRows(names, 500)).toBe(3);
    expect(legendRows(names.slice(0, 1), 200)).toBe(1);
    expect(legendRows([], 1000)).toBe(0);
    const wide = compareEfficiencyOption(input({ width: 2000 })).option.grid as { bottom: number };
    const narrow = compareEfficiencyOption(input({ width: 400 })).option.grid as { bottom: number };
    expect(narrow.bottom - wide.bottom).toBe(22 * (legendRows(input().series.map(comparedSeriesName), 400) - 1));
  });
});
