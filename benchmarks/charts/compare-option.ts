import { armLabel } from '../spec/sources.js';
import type { BuiltChart, ChartOption, ChartTarget, LineSeriesOption } from './chart-option.js';
import { axisTooltip, chartFrame } from './chart-frame.js';
import { metricAxis, sizeAxis } from './efficiency-axes.js';
import type { ComparedSeries } from './data/compared-series.js';
import { EFFICIENCY_METRIC_LABELS, type EfficiencyMetric } from './data/metrics.js';
import type { BandKind } from './data/stats.js';
import { BAND_LABELS } from './efficiency-option.js';
import { escapeHtml } from './escape.js';
import { niceExtent } from './extent.js';
import { formatNumber, formatPercent } from './format.js';
import { armColour, type ChartPalette } from './palette.js';

/**
 * Several suites' data-efficiency curves on one chart: colour says the approach (the palette's, as on every chart; an
 * approach from a further source takes the palette's shade of it), line style and marker say the suite, and the
 * legend names both ("quick #3 · finetune", "quick #4 · finetune · fashion").
 */

export interface CompareChartInput {
  series: ComparedSeries[];
  metric: EfficiencyMetric;
  /** The band drawn around each mean, or none (eight bands over one another hide more than they show). */
  band: BandKind | 'none';
  /** Accuracy of guessing (the suites share a target, so one line); null when unknown. */
  chance: number | null;
  /** Built with the sources of every compared suite (comparedSourceNames), so each source keeps one shade. */
  palette: ChartPalette;
  target: ChartTarget;
  /** Width of the chart in pixels (default 1000): how many legend rows the plot makes room for. */
  width?: number;
}

const DEFAULT_WIDTH = 1000;

/** How the n-th compared suite is drawn: its line style, marker and a word for them (the app's key uses it). */
export interface SuiteStyle {
  line: 'solid' | 'dashed' | 'dotted' | number[];
  symbol: 'circle' | 'triangle' | 'rect' | 'diamond' | 'roundRect' | 'pin' | 'arrow' | 'emptyCircle';
  description: string;
}

/** Eight suites apart (MAX_COMPARED): each has its own marker, and line styles repeat only with another marker. */
export const SUITE_STYLES: readonly SuiteStyle[] = [
  { line: 'solid', symbol: 'circle', description: 'solid line, circles' },
  { line: 'dashed', symbol: 'triangle', description: 'dashed line, triangles' },
  { line: 'dotted', symbol: 'rect', description: 'dotted line, squares' },
  { line: [10, 3, 2, 3], symbol: 'diamond', description: 'dash-dot line, diamonds' },
  { line: 'solid', symbol: 'emptyCircle', description: 'solid line, open circles' },
  { line: 'dashed', symbol: 'roundRect', description: 'dashed line, rounded squares' },
  { line: 'dotted', symbol: 'pin', description: 'dotted line, pins' },
  { line: [10, 3, 2, 3], symbol: 'arrow', description: 'dash-dot line, arrows' },
];

/** The legend's layout, in pixels: entries wrap into rows across the chart's width. */
const LEGEND = { left: 16, icon: 28, iconGap: 5, gap: 18, charWidth: 7, rowHeight: 22 };

/**
 * How many rows the legend's entries take across `width` pixels, packed as ECharts packs them (in order, wrapping when
 * the next entry does not fit); a text width is estimated from its length, a little wide for safety.
 */
export function legendRows(names: readonly string[], width: number): number {
  const available = width - 2 * LEGEND.left;
  let rows = names.length > 0 ? 1 : 0;
  let used = 0;
  for (const name of names) {
    const entry = LEGEND.icon + LEGEND.iconGap + name.length * LEGEND.charWidth;
    if (used > 0 && used + LEGEND.gap + entry > available) {
      rows += 1;
      used = entry;
    } else {
      used += (used > 0 ? LEGEND.gap : 0) + entry;
    }
  }
  return rows;
}

export function suiteStyle(index: number): SuiteStyle {
  return SUITE_STYLES[index % SUITE_STYLES.length]!;
}

/**
 * How far apart, as a factor on the log size axis, the compared suites' points are set: about 8 pixels between
 * neighbours on a chart of two decades, so two suites with the same numbers show two markers side by side instead of
 * one over the other (the tooltip and the CSV give the exact sizes).
 */
export const SUITE_DODGE = 1.04;

/** The factor the `index`-th of `count` suites' sizes are drawn at: centred on 1 (no shift for one suite). */
export function suiteDodge(index: number, count: number): number {
  return count > 1 ? SUITE_DODGE ** (index - (count - 1) / 2) : 1;
}

/**
 * The stroke of the `index`-th suite's lines: with several suites the first is a broad, half-transparent stroke and
 * the others thin ones drawn over it in their own dash, so identical curves read as two (a dashed line through a pale
 * band) and not as one hidden under the other.
 */
export function suiteStroke(index: number, count: number): { width: number; opacity: number } {
  if (count < 2) return { width: 2, opacity: 1 };
  return index === 0 ? { width: 5, opacity: 0.5 } : { width: 2, opacity: 1 };
}

/** The legend's and the tooltip's name of a series: the suite's label and the approach (and its source, if named). */
export function comparedSeriesName(series: Pick<ComparedSeries, 'suite' | 'approach' | 'source'>): string {
  return `${series.suite} · ${armLabel(series)}`;
}

function formatValue(metric: EfficiencyMetric, value: number): string {
  return metric === 'testAccuracy' ? formatPercent(value) : formatNumber(value);
}

/** The measured size nearest to `x` on the log axis. */
function nearestSize(series: readonly ComparedSeries[], x: number): number {
  const sizes = series.flatMap((s) => s.points.map((p) => p.trainSize));
  return sizes.reduce(
    (best, size) => (Math.abs(Math.log(size / x)) < Math.abs(Math.log(best / x)) ? size : best),
    sizes[0] ?? x,
  );
}

/** The tooltip at one size: every suite and approach measured there, best first, with its band and n. */
export function compareTooltip(input: CompareChartInput, hovered: number): string {
  const { metric, palette } = input;
  const trainSize = nearestSize(input.series, hovered);
  const rows = input.series
    .flatMap((s) => {
      const point = s.points.find((p) => p.trainSize === trainSize);
      return point ? [{ s, point }] : [];
    })
    .sort((a, b) => (metric === 'testAccuracy' ? b.point.mean - a.point.mean : a.point.mean - b.point.mean));
  const body = rows
    .map(({ s, point }) => {
      const spread =
        point.n > 1 ? `${formatValue(metric, point.low)} – ${formatValue(metric, point.high)}` : 'one seed';
      return (
        `<tr><td><span class="tb-tt-dot" style="background:${armColour(palette, s)}"></span>${escapeHtml(comparedSeriesName(s))}</td>` +
        `<td class="tb-tt-num"><b>${formatValue(metric, point.mean)}</b></td>` +
        `<td class="tb-tt-num tb-tt-muted">${input.band === 'none' ? '' : spread}</td>` +
        `<td class="tb-tt-num tb-tt-muted">n=${point.n}</td></tr>`
      );
    })
    .join('');
  const bandHead = input.band === 'none' ? '' : BAND_LABELS[input.band];
  return (
    `<div class="tb-tt"><div class="tb-tt-title">${trainSize} training examples</div>` +
    `<table><thead><tr><th></th><th>${escapeHtml(EFFICIENCY_METRIC_LABELS[metric])}</th><th>${bandHead}</th><th></th></tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}

/**
 * The data-efficiency chart of several suites: the metric against training-set size on a log axis, one line per suite
 * and approach (mean over seeds), its band as a stacked area when asked for. Never downsampled: a suite has a handful
 * of sizes.
 */
export function compareEfficiencyOption(input: CompareChartInput): BuiltChart {
  const { palette, metric, target } = input;
  const accuracy = metric === 'testAccuracy';
  const series: LineSeriesOption[] = [];
  const suites = new Set(input.series.map((s) => s.suiteIndex)).size;
  for (const s of input.series) {
    const colour = armColour(palette, s);
    const style = suiteStyle(s.suiteIndex);
    const name = comparedSeriesName(s);
    const x = (trainSize: number) => trainSize * suiteDodge(s.suiteIndex, suites);
    series.push({
      type: 'line',
      id: `mean:${name}`,
      name,
      data: s.points.map((p) => [x(p.trainSize), p.mean]),
      color: colour,
      lineStyle: { ...suiteStroke(s.suiteIndex, suites), type: style.line },
      symbol: style.symbol,
      symbolSize: 8,
      showSymbol: true,
      z: 4 + s.suiteIndex,
      emphasis: { focus: 'series' },
    });
    if (input.band === 'none') continue;
    const band = {
      type: 'line' as const,
      name,
      stack: `band:${name}`,
      stackStrategy: 'all' as const,
      color: colour,
      lineStyle: { opacity: 0 },
      symbol: 'none',
      silent: true,
      z: 2,
      tooltip: { show: false },
    };
    series.push({ ...band, id: `band-low:${name}`, data: s.points.map((p) => [x(p.trainSize), p.low]) });
    series.push({
      ...band,
      id: `band:${name}`,
      data: s.points.map((p) => [x(p.trainSize), p.high - p.low]),
      // Several suites' bands lie over one another: each a little lighter than a single suite's.
      areaStyle: { color: colour, opacity: palette.bandOpacity * 0.7 },
    });
  }
  if (accuracy && input.chance !== null && series[0]) {
    series[0].markLine = {
      silent: true,
      symbol: 'none',
      label: { formatter: 'chance', color: palette.muted, position: 'insideEndTop' },
      lineStyle: { color: palette.muted, type: 'dotted', width: 1 },
      data: [{ yAxis: input.chance }],
    };
  }
  const sizes = [...new Set(input.series.flatMap((s) => s.points.map((p) => p.trainSize)))].sort((a, b) => a - b);
  const minSize = sizes[0] ?? 1;
  const maxSize = sizes[sizes.length - 1] ?? 10;
  const yExtent = accuracy
    ? niceExtent(
        input.series.flatMap((s) => s.points.map((p) => p.mean)),
        0,
        1,
      )
    : niceExtent(
        input.series.flatMap((s) => s.points.map((p) => p.mean)),
        0,
      );
  const exporting = target.kind === 'export';
  const names = input.series.map(comparedSeriesName);
  const frame = chartFrame(palette, target, names);
  // The legend under the chart, its entries drawing each series' own line style and marker (no common icon); the grid
  // leaves room for its rows.
  const legendHeight = LEGEND.rowHeight * legendRows(names, input.width ?? DEFAULT_WIDTH);
  const option: ChartOption = {
    ...frame,
    legend: {
      ...(frame.legend as object),
      icon: undefined,
      itemWidth: LEGEND.icon,
      itemHeight: 10,
      itemGap: LEGEND.gap,
      top: undefined,
      left: LEGEND.left,
      right: LEGEND.left,
      bottom: 4,
      type: 'plain',
    },
    grid: { left: 64, right: 24, top: exporting ? 72 : 24, bottom: 60 + legendHeight },
    xAxis: sizeAxis(palette, sizes, minSize, maxSize),
    yAxis: metricAxis(palette, metric, yExtent),
    tooltip: axisTooltip(palette, target, (x) => compareTooltip(input, x)),
    series,
  };
  return { option, drawn: input.series.map((s) => ({ name: comparedSeriesName(s), points: s.points.length })) };
}
