import type { AnswerMark } from './answer-marks.js';
import type { EfficiencySeries } from './data/data-efficiency.js';
import { EFFICIENCY_METRIC_LABELS, type EfficiencyMetric } from './data/metrics.js';
import type { BandKind } from './data/stats.js';
import { formatNumber, formatPercent } from './format.js';
import { answerMarkSeries } from './answer-mark-series.js';
import { escapeHtml } from './escape.js';
import type { BuiltChart, ChartOption, ChartTarget, LineSeriesOption, ScatterSeriesOption } from './chart-option.js';
import { axisTooltip, chartFrame } from './chart-frame.js';
import { metricAxis, sizeAxis } from './efficiency-axes.js';
import { niceExtent } from './extent.js';
import { fitExtent, fitSeries, type FitLine } from './fit-series.js';
import { armColour, armSymbol, type ChartPalette } from './palette.js';
import { armLabel, sameArm } from '../spec/sources.js';

export interface EfficiencyChartInput {
  series: EfficiencySeries[];
  metric: EfficiencyMetric;
  band: BandKind;
  showSeeds: boolean;
  /** Accuracy of guessing, drawn as a reference line on the accuracy chart; null when unknown. */
  chance: number | null;
  palette: ChartPalette;
  target: ChartTarget;
  /** The answer marked on the chart (crossover lines, data-multiplier arrows): see `marksToDraw`. */
  answer?: readonly AnswerMark[];
  /** Fitted learning curves (accuracy chart only): solid over the sizes run, dashed beyond. */
  fits?: readonly FitLine[];
}

export const BAND_LABELS: Record<BandKind, string> = { ci95: '95% CI', minmax: 'min–max' };

function formatValue(metric: EfficiencyMetric, value: number): string {
  return metric === 'testAccuracy' ? formatPercent(value) : formatNumber(value);
}

/** The measured size nearest to `x` on the log axis (the fitted curves put points between them). */
export function nearestSize(input: EfficiencyChartInput, x: number): number {
  const sizes = input.series.flatMap((s) => s.points.map((p) => p.trainSize));
  return sizes.reduce(
    (best, size) => (Math.abs(Math.log(size / x)) < Math.abs(Math.log(best / x)) ? size : best),
    sizes[0] ?? x,
  );
}

/** The tooltip for one training-set size: every approach's mean, band and n (and seeds when shown). */
export function efficiencyTooltip(input: EfficiencyChartInput, hovered: number): string {
  const { metric, band, palette } = input;
  const trainSize = nearestSize(input, hovered);
  const rows = input.series
    .map((s) => ({ s, point: s.points.find((p) => p.trainSize === trainSize) }))
    .filter((r) => r.point !== undefined)
    .sort((a, b) => (metric === 'testAccuracy' ? b.point!.mean - a.point!.mean : a.point!.mean - b.point!.mean));
  const body = rows
    .map(({ s, point }) => {
      const p = point!;
      const colour = armColour(palette, s);
      const spread = p.n > 1 ? `${formatValue(metric, p.low)} – ${formatValue(metric, p.high)}` : 'one seed';
      const seeds = input.showSeeds
        ? `<div class="tb-tt-seeds">${p.seeds.map((v) => `seed ${v.seed}: ${formatValue(metric, v.value)}`).join(' · ')}</div>`
        : '';
      return (
        `<tr><td><span class="tb-tt-dot" style="background:${colour}"></span>${escapeHtml(armLabel(s))}</td>` +
        `<td class="tb-tt-num"><b>${formatValue(metric, p.mean)}</b></td>` +
        `<td class="tb-tt-num tb-tt-muted">${spread}</td><td class="tb-tt-num tb-tt-muted">n=${p.n}</td></tr>` +
        (seeds ? `<tr><td colspan="4">${seeds}</td></tr>` : '')
      );
    })
    .join('');
  return (
    `<div class="tb-tt"><div class="tb-tt-title">${trainSize} training examples</div>` +
    `<table><thead><tr><th></th><th>${escapeHtml(EFFICIENCY_METRIC_LABELS[metric])}</th><th>${BAND_LABELS[band]}</th><th></th></tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}

/**
 * Data efficiency: the metric against training-set size on a log axis, one line per approach
 * (mean over seeds, series named by approach id), its band as a stacked area (lower edge + height),
 * and seeds as dots on demand. On screen lines are downsampled with LTTB; for export never.
 */
export function efficiencyOption(input: EfficiencyChartInput): BuiltChart {
  const { palette, metric, target } = input;
  const sampling = target.kind === 'screen' ? 'lttb' : undefined;
  const accuracy = metric === 'testAccuracy';
  const series: (LineSeriesOption | ScatterSeriesOption)[] = [];
  for (const s of input.series) {
    const colour = armColour(palette, s);
    const name = armLabel(s);
    const stack = `band:${name}`;
    series.push({
      type: 'line',
      name,
      data: s.points.map((p) => [p.trainSize, p.mean]),
      color: colour,
      lineStyle: { width: 2 },
      symbol: armSymbol(palette, s),
      symbolSize: 7,
      showSymbol: true,
      z: 4,
      sampling,
      emphasis: { focus: 'series' },
    });
    series.push({
      type: 'line',
      name,
      data: s.points.map((p) => [p.trainSize, p.low]),
      stack,
      stackStrategy: 'all',
      color: colour,
      lineStyle: { opacity: 0 },
      symbol: 'none',
      silent: true,
      z: 2,
      sampling,
      tooltip: { show: false },
    });
    series.push({
      type: 'line',
      name,
      data: s.points.map((p) => [p.trainSize, p.high - p.low]),
      stack,
      stackStrategy: 'all',
      color: colour,
      lineStyle: { opacity: 0 },
      areaStyle: { color: colour, opacity: palette.bandOpacity },
      symbol: 'none',
      silent: true,
      z: 2,
      sampling,
      tooltip: { show: false },
    });
    if (input.showSeeds) {
      series.push({
        type: 'scatter',
        name,
        data: s.points.flatMap((p) => p.seeds.map((v) => [p.trainSize, v.value])),
        color: colour,
        symbol: 'circle',
        symbolSize: 5,
        itemStyle: { color: 'transparent', borderColor: colour, borderWidth: 1.2, opacity: 0.9 },
        z: 5,
        silent: true,
      });
    }
  }
  if (accuracy && input.chance !== null && series[0]) {
    (series[0] as LineSeriesOption).markLine = {
      silent: true,
      symbol: 'none',
      label: { formatter: 'chance', color: palette.muted, position: 'insideEndTop' },
      lineStyle: { color: palette.muted, type: 'dotted', width: 1 },
      data: [{ yAxis: input.chance }],
    };
  }
  const fits = accuracy ? (input.fits ?? []).filter((f) => input.series.some((s) => sameArm(s, f))) : [];
  series.push(...fitSeries(fits, palette));
  series.push(...answerMarkSeries(input.answer ?? [], palette, accuracy ? 'bottom' : 'top'));
  const sizes = [...new Set(input.series.flatMap((s) => s.points.map((p) => p.trainSize)))].sort((a, b) => a - b);
  const minSize = sizes[0] ?? 1;
  const maxSize = Math.max(sizes[sizes.length - 1] ?? 10, fitExtent(fits) ?? 0);
  // The y range holds everything drawn: means, bands (the analysis' intervals: an accuracy's never leaves 0–100%) and
  // seeds when shown, so no band is cut at the frame.
  const shown = input.series.flatMap((s) =>
    s.points.flatMap((p) => [p.mean, p.low, p.high, ...(input.showSeeds ? p.seeds.map((v) => v.value) : [])]),
  );
  const yExtent = accuracy ? niceExtent(shown, 0, 1) : niceExtent(shown, 0);
  const exporting = target.kind === 'export';
  const option: ChartOption = {
    ...chartFrame(
      palette,
      target,
      input.series.map((s) => armLabel(s)),
    ),
    grid: { left: 64, right: 24, top: exporting ? 72 : 36, bottom: 52 },
    xAxis: sizeAxis(palette, sizes, minSize, maxSize),
    yAxis: metricAxis(palette, metric, yExtent),
    tooltip: axisTooltip(palette, target, (x) => efficiencyTooltip(input, x)),
    series,
  };
  return { option, drawn: input.series.map((s) => ({ name: armLabel(s), points: s.points.length })) };
}
