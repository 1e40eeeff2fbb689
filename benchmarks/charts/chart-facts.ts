import type { ChartOption, LineSeriesOption } from './chart-option.js';

/**
 * What a drawn chart shows, read off its option for tests that cannot read a canvas: the labelled x ticks, each band's
 * fill opacity, and each named line's stroke (dash, width, opacity). The app exposes it as the chart's `data-facts`.
 */
export interface ChartFacts {
  /** Per x axis, the tick values labelled (only axes with explicit ticks). */
  xTicks: number[][];
  /** The fill opacity of every band drawn. */
  bandOpacities: number[];
  /** Every line with a visible stroke: its legend name, dash ('solid', 'dashed', 'dotted' or a pattern) and width. */
  lines: { name: string; dash: string; width: number; opacity: number }[];
}

const list = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as T[])] : [value as T];

export function chartFacts(option: ChartOption): ChartFacts {
  const axes = list(option.xAxis) as { axisLabel?: { customValues?: unknown } }[];
  const xTicks = axes.flatMap((a) => {
    const values = a.axisLabel?.customValues;
    return Array.isArray(values) ? [values.filter((v): v is number => typeof v === 'number')] : [];
  });
  const series = list(option.series) as LineSeriesOption[];
  const bandOpacities = series.flatMap((s) =>
    s.areaStyle && typeof s.areaStyle.opacity === 'number' ? [s.areaStyle.opacity] : [],
  );
  const lines = series.flatMap((s) => {
    const style = s.lineStyle ?? {};
    const opacity = typeof style.opacity === 'number' ? style.opacity : 1;
    if (s.type !== 'line' || opacity === 0 || s.areaStyle || typeof s.name !== 'string') return [];
    const dash = Array.isArray(style.type) ? style.type.join(',') : String(style.type ?? 'solid');
    return [{ name: s.name, dash, width: typeof style.width === 'number' ? style.width : 2, opacity }];
  });
  return { xTicks, bandOpacities, lines };
}
