/** The axes of every data-efficiency chart (one suite or several compared): training-set size against a test metric. */
import { numberTick, percentTick, sizeTick } from './axis-format.js';
import type { ChartOption } from './chart-option.js';
import { EFFICIENCY_METRIC_LABELS, type EfficiencyMetric } from './data/metrics.js';
import type { Extent } from './extent.js';
import type { ChartPalette } from './palette.js';

type Axis<K extends 'xAxis' | 'yAxis'> = Exclude<NonNullable<ChartOption[K]>, readonly unknown[]>;

/** Log-scale size axis with ticks at the sizes run, a little room either side to keep the end points off the frame. */
export function sizeAxis(palette: ChartPalette, sizes: number[], minSize: number, maxSize: number): Axis<'xAxis'> {
  return {
    type: 'log',
    logBase: 10,
    name: 'Training examples (log scale)',
    nameLocation: 'middle',
    nameGap: 30,
    nameTextStyle: { color: palette.muted },
    min: minSize / 1.25,
    max: maxSize * 1.25,
    axisLine: { lineStyle: { color: palette.axisLine } },
    axisTick: { customValues: sizes },
    axisLabel: { color: palette.muted, formatter: (v: number) => sizeTick(Math.round(v)), customValues: sizes },
    splitLine: { show: true, lineStyle: { color: palette.splitLine } },
  };
}

/** The metric's value axis, in percent for accuracy, over the extent given (ECharts' own when undefined). */
export function metricAxis(palette: ChartPalette, metric: EfficiencyMetric, extent: Extent | null): Axis<'yAxis'> {
  return {
    type: 'value',
    name: EFFICIENCY_METRIC_LABELS[metric],
    nameLocation: 'middle',
    nameGap: 48,
    nameTextStyle: { color: palette.muted },
    scale: true,
    min: extent?.min,
    max: extent?.max,
    axisLine: { show: false },
    axisLabel: { color: palette.muted, formatter: metric === 'testAccuracy' ? percentTick : numberTick },
    splitLine: { lineStyle: { color: palette.splitLine } },
  };
}
