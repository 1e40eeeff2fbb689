import { hoveredX } from './axis-format.js';
import type { ChartOption, ChartTarget } from './chart-option.js';
import type { ChartPalette } from './palette.js';

/** What every chart of the app shares: background, fonts, the title of an exported image, and the legend. */
export function chartFrame(
  palette: ChartPalette,
  target: ChartTarget,
  legend: string[],
): Pick<ChartOption, 'animation' | 'backgroundColor' | 'textStyle' | 'title' | 'legend'> {
  const exporting = target.kind === 'export';
  return {
    animation: false,
    backgroundColor: exporting ? palette.background : 'transparent',
    textStyle: { color: palette.text, fontFamily: 'Inter, system-ui, sans-serif' },
    title: exporting
      ? {
          text: target.title,
          subtext: target.subtitle,
          left: 16,
          top: 10,
          textStyle: { color: palette.text, fontSize: 15, fontWeight: 600 },
          subtextStyle: { color: palette.muted },
        }
      : undefined,
    legend: {
      top: exporting ? 14 : 0,
      right: 8,
      icon: 'roundRect',
      itemWidth: 14,
      itemHeight: 4,
      textStyle: { color: palette.text },
      data: legend,
    },
  };
}

/** The hover tooltip of both charts: everything at the hovered x, described by `describe`; none on exported images. */
export function axisTooltip(
  palette: ChartPalette,
  target: ChartTarget,
  describe: (x: number) => string,
): ChartOption['tooltip'] {
  if (target.kind === 'export') return { show: false };
  return {
    trigger: 'axis',
    confine: true,
    backgroundColor: palette.tooltipBackground,
    borderColor: palette.tooltipBorder,
    textStyle: { color: palette.text, fontSize: 12 },
    axisPointer: { type: 'line', lineStyle: { color: palette.axisLine } },
    formatter: (params: unknown) => {
      const x = hoveredX(params);
      return x === null ? '' : describe(x);
    },
  };
}
