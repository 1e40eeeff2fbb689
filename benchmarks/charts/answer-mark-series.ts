import type { AnswerMark } from './answer-marks.js';
import type { LineSeriesOption } from './chart-option.js';

type MarkLineLabel = NonNullable<NonNullable<LineSeriesOption['markLine']>['label']>;
import { armColour, type ChartPalette } from './palette.js';
import { armLabel } from '../spec/sources.js';

/** Dash and gap of a crossover line, in pixels. */
const DASH = 6;
const GAP = 4;
/** How far apart the labels of arrows drawn at the same size sit, in pixels. */
const LABEL_SHIFT = 8;

/**
 * ECharts series drawing the answer: for each mark an empty line series named after its approach (so the legend
 * hides the mark with the approach) carrying one mark line. Crossovers are dashed vertical lines in the variant's
 * colour, labelled along the line at the bottom of the accuracy plot or the top of the loss plot (where the curves
 * of large sizes are not); crossovers at one size interleave their dashes so each colour shows and put their labels
 * on either side. Multipliers are arrows from the variant's point to where scratch reaches its accuracy, labelled
 * past the arrowhead.
 */
export function answerMarkSeries(
  marks: readonly AnswerMark[],
  palette: ChartPalette,
  /** Where crossover labels go: the empty part of the plot at large sizes (bottom for accuracy, top for loss). */
  crossoverLabels: 'bottom' | 'top' = 'bottom',
): LineSeriesOption[] {
  const arrows = marks.filter((m) => m.kind === 'multiplier').length;
  return marks.map((mark): LineSeriesOption => {
    const colour = armColour(palette, mark);
    const label: MarkLineLabel = {
      show: true,
      formatter: mark.label,
      color: colour,
      fontSize: 11,
      fontWeight: 600,
      backgroundColor: palette.background,
      padding: [1, 3],
      borderRadius: 2,
    };
    const base: LineSeriesOption = {
      type: 'line',
      name: armLabel(mark),
      data: [],
      silent: true,
      z: 6,
      tooltip: { show: false },
    };
    if (mark.kind === 'crossover') {
      return {
        ...base,
        markLine: {
          silent: true,
          symbol: 'none',
          animation: false,
          lineStyle: {
            color: colour,
            width: 1.5,
            type: [DASH, mark.shared * (DASH + GAP) - DASH],
            dashOffset: mark.slot * (DASH + GAP),
          },
          label: {
            ...label,
            position:
              crossoverLabels === 'bottom'
                ? mark.slot % 2 === 0
                  ? 'insideStartTop'
                  : 'insideStartBottom'
                : mark.slot % 2 === 0
                  ? 'insideEndTop'
                  : 'insideEndBottom',
          },
          emphasis: { disabled: true },
          data: [{ xAxis: mark.size }],
        },
      };
    }
    const shift = arrows < 2 ? 0 : mark.slot % 2 === 0 ? -LABEL_SHIFT : LABEL_SHIFT;
    return {
      ...base,
      markLine: {
        silent: true,
        symbol: ['none', 'arrow'],
        symbolSize: 9,
        animation: false,
        lineStyle: { color: colour, width: 2, type: 'solid' },
        label: { ...label, position: 'end', offset: [0, shift] },
        emphasis: { disabled: true },
        data: [[{ coord: [mark.from, mark.accuracy] }, { coord: [mark.to, mark.accuracy] }]],
      },
    };
  });
}
