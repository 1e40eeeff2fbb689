import type { LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TitleComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';

/** The ECharts option type for the parts this app registers (see echarts-setup.ts). */
export type ChartOption = ComposeOption<
  | LineSeriesOption
  | ScatterSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | TitleComponentOption
  | MarkLineComponentOption
>;

export type { LineSeriesOption, ScatterSeriesOption };

/** One drawn data series, as exposed to tests through the chart container's `data-series` attribute. */
export interface DrawnSeries {
  name: string;
  points: number;
}

/** An option plus the short description of its main series. */
export interface BuiltChart {
  option: ChartOption;
  drawn: DrawnSeries[];
}

/** How the chart is being drawn: on screen (downsampled, interactive) or for a file (every point, titled). */
export type ChartTarget = { kind: 'screen' } | { kind: 'export'; title: string; subtitle: string };
