import type { ConvergenceSeries, CurveAxis, CurvePoint } from './data/convergence.js';
import { CURVE_METRIC_LABELS, type CurveMetric } from './data/metrics.js';
import { thinForScreen } from './data/lttb.js';
import type { BandKind } from './data/stats.js';
import { formatDuration, formatNumber, formatPercent } from './format.js';
import { numberTick, percentTick, secondsTick } from './axis-format.js';
import { escapeHtml } from './escape.js';
import type { BuiltChart, ChartOption, ChartTarget, LineSeriesOption } from './chart-option.js';
import { decadeExtent, linearTicks, niceExtent } from './extent.js';
import { axisTooltip, chartFrame } from './chart-frame.js';
import { armColour, type ChartPalette } from './palette.js';
import { armLabel } from '../spec/sources.js';

export interface ConvergenceChartInput {
  series: ConvergenceSeries[];
  axis: CurveAxis;
  band: BandKind;
  logLoss: boolean;
  trainSize: number;
  /** Panels side by side (wide) or stacked (narrow). */
  layout: 'row' | 'column';
  palette: ChartPalette;
  target: ChartTarget;
}

const METRICS: CurveMetric[] = ['loss', 'accuracy'];
/** Most points per curve drawn on screen: about one per horizontal pixel of a panel. */
export const SCREEN_POINTS = 600;

export function seriesName(s: Pick<ConvergenceSeries, 'approach' | 'source' | 'metric' | 'split'>): string {
  return `${armLabel(s)} ${s.split} ${s.metric}`;
}

/** The point of a series nearest to x (points are sorted by x). */
export function nearestPoint(points: readonly CurvePoint[], x: number): CurvePoint | null {
  if (points.length === 0) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.x < x) lo = mid + 1;
    else hi = mid;
  }
  const after = points[lo]!;
  const before = points[lo - 1];
  return before && Math.abs(before.x - x) < Math.abs(after.x - x) ? before : after;
}

function formatMetric(metric: CurveMetric, value: number): string {
  return metric === 'accuracy' ? formatPercent(value) : formatNumber(value);
}

/** The tooltip at one x: per approach, each metric and split drawn, with n. */
export function convergenceTooltip(input: ConvergenceChartInput, x: number): string {
  const approaches = [...new Set(input.series.map((s) => armLabel(s)))];
  const columns = [...new Set(input.series.map((s) => `${s.split} ${s.metric}`))].sort((a, b) =>
    a.endsWith('loss') === b.endsWith('loss') ? b.localeCompare(a) : a.endsWith('loss') ? -1 : 1,
  );
  const head = columns.map((c) => `<th>${escapeHtml(c.replace('val ', 'val. '))}</th>`).join('');
  const rows = approaches
    .map((approach) => {
      let n = 0;
      const cells = columns
        .map((column) => {
          const s = input.series.find((c) => armLabel(c) === approach && `${c.split} ${c.metric}` === column);
          const p = s ? nearestPoint(s.points, x) : null;
          // Epochs line up exactly; on wall time each approach shows its value nearest to the pointer.
          if (!s || !p || (input.axis === 'epoch' && p.x !== x)) {
            return '<td class="tb-tt-num tb-tt-muted">—</td>';
          }
          n = Math.max(n, p.n);
          return `<td class="tb-tt-num">${formatMetric(s.metric, p.mean)}</td>`;
        })
        .join('');
      const first = input.series.find((c) => armLabel(c) === approach)!;
      const colour = armColour(input.palette, first);
      return `<tr><td><span class="tb-tt-dot" style="background:${colour}"></span>${escapeHtml(approach)}</td>${cells}<td class="tb-tt-num tb-tt-muted">${n ? `n=${n}` : ''}</td></tr>`;
    })
    .join('');
  const title = input.axis === 'epoch' ? `Epoch ${x}` : `${formatDuration(x)} of training`;
  return `<div class="tb-tt"><div class="tb-tt-title">${title} · ${input.trainSize} examples</div><table><thead><tr><th></th>${head}<th></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * Convergence: loss (left/top) and accuracy (right/bottom) against epoch or wall time for one size,
 * per approach a solid validation line and a dashed train line (mean over seeds) with its band as a
 * stacked area. Series are named by approach id so the legend toggles an approach everywhere.
 */
export function convergenceOption(input: ConvergenceChartInput): BuiltChart {
  const { palette, target } = input;
  const exporting = target.kind === 'export';
  const sampling = exporting ? undefined : 'lttb';
  const series: LineSeriesOption[] = [];
  let minPositiveLoss = Infinity;
  for (const s of input.series) {
    if (s.metric !== 'loss') continue;
    for (const p of s.points) if (p.mean > 0) minPositiveLoss = Math.min(minPositiveLoss, p.mean);
  }
  // On a log axis a band reaching 0 would fall off the chart: floor it at a tenth of the smallest mean.
  const logFloor = Number.isFinite(minPositiveLoss) ? minPositiveLoss / 10 : 1e-6;
  for (const full of input.series) {
    // On screen long curves are thinned with LTTB on the mean (the band keeps the same points); exports keep all.
    const s = exporting ? full : { ...full, points: thinForScreen(full.points, SCREEN_POINTS) };
    const colour = armColour(palette, s);
    const name = armLabel(s);
    const axisIndex = METRICS.indexOf(s.metric);
    const floor = s.metric === 'loss' && input.logLoss ? logFloor : -Infinity;
    const stack = `band:${seriesName(s)}`;
    const low = (p: CurvePoint) => Math.max(floor, p.low);
    const dense = s.points.length > 60;
    series.push({
      type: 'line',
      name,
      xAxisIndex: axisIndex,
      yAxisIndex: axisIndex,
      data: s.points.map((p) => [p.x, s.metric === 'loss' && input.logLoss ? Math.max(floor, p.mean) : p.mean]),
      color: colour,
      lineStyle: { width: s.split === 'val' ? 2 : 1.5, type: s.split === 'val' ? 'solid' : 'dashed' },
      symbol: 'circle',
      symbolSize: 4,
      showSymbol: !dense && s.split === 'val',
      z: s.split === 'val' ? 4 : 3,
      sampling,
      emphasis: { focus: 'series' },
    });
    series.push(
      {
        type: 'line',
        name,
        xAxisIndex: axisIndex,
        yAxisIndex: axisIndex,
        data: s.points.map((p) => [p.x, low(p)]),
        stack,
        stackStrategy: 'all',
        color: colour,
        lineStyle: { opacity: 0 },
        symbol: 'none',
        silent: true,
        z: 1,
        sampling,
      },
      {
        type: 'line',
        name,
        xAxisIndex: axisIndex,
        yAxisIndex: axisIndex,
        data: s.points.map((p) => [p.x, Math.max(0, p.high - low(p))]),
        stack,
        stackStrategy: 'all',
        color: colour,
        lineStyle: { opacity: 0 },
        areaStyle: { color: colour, opacity: s.split === 'val' ? palette.bandOpacity : palette.bandOpacity * 0.6 },
        symbol: 'none',
        silent: true,
        z: 1,
        sampling,
      },
    );
  }
  const row = input.layout === 'row';
  const top = exporting ? 96 : 58;
  const drawn = (metric: CurveMetric) =>
    input.series
      .filter((s) => s.metric === metric)
      .flatMap((s) => s.points.flatMap((p) => [p.mean, p.low, p.high]))
      .filter((v) => !(metric === 'loss' && input.logLoss) || v >= logFloor);
  // Ranges hold the lines and their bands, so no band is cut at the frame.
  const yExtents = {
    loss: input.logLoss ? decadeExtent(drawn('loss')) : niceExtent(drawn('loss'), 0),
    accuracy: niceExtent(drawn('accuracy'), 0, 1),
  };
  const xMax = Math.max(0, ...input.series.flatMap((s) => s.points.map((p) => p.x)));
  const xTicks = linearTicks(xMax, input.axis === 'epoch');
  const grids = row
    ? [
        { left: 64, right: '53%', top, bottom: 52 },
        { left: '55%', right: 24, top, bottom: 52 },
      ]
    : [
        { left: 64, right: 24, top, height: '34%' },
        { left: 64, right: 24, bottom: 44, height: '34%' },
      ];
  const xName = input.axis === 'epoch' ? 'Epoch' : 'Wall time';
  const approaches = [...new Set(input.series.map((s) => armLabel(s)))];
  const option: ChartOption = {
    ...chartFrame(palette, target, approaches),
    grid: grids,
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    xAxis: METRICS.map((_, i) => ({
      type: 'value' as const,
      gridIndex: i,
      name: xName,
      nameLocation: 'middle' as const,
      nameGap: 28,
      nameTextStyle: { color: palette.muted },
      min: 0,
      max: xMax > 0 ? xMax : undefined,
      axisLine: { lineStyle: { color: palette.axisLine } },
      // ticks on a nice step and at the last epoch (or second) run, which ends the axis: see linearTicks
      axisTick: { customValues: xTicks },
      axisLabel: {
        color: palette.muted,
        formatter: input.axis === 'epoch' ? (v: number) => String(v) : secondsTick,
        customValues: xTicks,
      },
      splitLine: { show: false },
    })),
    yAxis: METRICS.map((metric, i) => ({
      type: metric === 'loss' && input.logLoss ? ('log' as const) : ('value' as const),
      gridIndex: i,
      name: CURVE_METRIC_LABELS[metric] + (metric === 'loss' && input.logLoss ? ' (log)' : ''),
      nameLocation: 'end' as const,
      nameGap: 12,
      nameTextStyle: { color: palette.text, align: 'left' as const, fontWeight: 600, padding: [0, 0, 0, -40] },
      scale: true,
      min: yExtents[metric]?.min,
      max: yExtents[metric]?.max,
      axisLine: { show: false },
      axisLabel: { color: palette.muted, formatter: metric === 'accuracy' ? percentTick : numberTick },
      splitLine: { lineStyle: { color: palette.splitLine } },
    })),
    tooltip: axisTooltip(palette, target, (x) => convergenceTooltip(input, x)),
    series,
  };
  return { option, drawn: input.series.map((s) => ({ name: seriesName(s), points: s.points.length })) };
}
