import type { Interval } from '../analysis/descriptive.js';
import { approachLabel, formatMultiplier, formatPercent, formatSize } from '../analysis/format.js';
import type {
  FitMultiplier,
  InterpolatedMultiplier,
  LearningCurveFits,
  OpenInterval,
} from '../analysis/learning-curves.js';
import { EXTRAPOLATION_FACTOR } from '../analysis/learning-curves.js';
import type { Block } from './document.js';

const DASH = '—';

function multiplierText(value: number | null): string {
  return value === null ? 'never' : `${formatMultiplier(value)}×`;
}

function intervalText(interval: OpenInterval | null, format: (v: number | null) => string): string {
  if (!interval) return '';
  return ` (${format(interval.low)} to ${format(interval.high)})`;
}

function sizeText(value: number | null): string {
  if (value === null) return 'never';
  const rounded = Math.round(value);
  return `${rounded < 0 ? '−' : ''}${formatSize(Math.abs(rounded))}`;
}

function fitCell(m: FitMultiplier | null): string {
  if (!m) return DASH;
  const base = `${multiplierText(m.multiplier)}${intervalText(m.interval, multiplierText)}`;
  const mark =
    m.extrapolation === 'beyond-largest'
      ? ', extrapolated beyond the largest size run'
      : m.extrapolation === 'below-smallest'
        ? ', extrapolated below the smallest size run'
        : '';
  return base + mark;
}

function effectiveCell(m: FitMultiplier | null): string {
  if (!m) return DASH;
  return `${sizeText(m.effectiveData)}${intervalText(m.effectiveDataInterval, sizeText)}`;
}

function interpolatedCell(m: InterpolatedMultiplier): string {
  const interval = intervalText(m.interval, multiplierText);
  switch (m.multiplier.kind) {
    case 'interpolated':
      return `${multiplierText(m.multiplier.multiplier)}${interval}`;
    case 'at-most':
      return `at most ${multiplierText(m.multiplier.multiplierAtMost)}${interval}`;
    case 'more-than-largest':
      return `more than ${multiplierText(m.multiplier.multiplierAbove)}${interval}`;
    case 'not-defined':
      return `not defined${interval}`;
    case 'no-data':
      return DASH;
  }
}

const number = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** The fitted learning curves: parameters per approach, and the data multiplier from the fits and from interpolation. */
export function fitSection(fits: LearningCurveFits): Block[] {
  const intervals = (i: Interval | undefined) => (i ? `${number(i.low)} to ${number(i.high)}` : DASH);
  const paramRows = fits.fits.map((f) =>
    f.kind === 'fitted'
      ? [
          approachLabel(f),
          `${number(f.params.a)} (${intervals(f.intervals?.a)})`,
          `${number(f.params.b)} (${intervals(f.intervals?.b)})`,
          `${formatPercent(f.params.c)} (${f.intervals ? `${formatPercent(f.intervals.c.low)} to ${formatPercent(f.intervals.c.high)}` : DASH})`,
          `${formatSize(f.smallestSize)}–${formatSize(f.largestSize)}`,
        ]
      : [approachLabel(f), 'not fitted', '', '', f.reason],
  );
  const multiplierRows = fits.multipliers.flatMap((v) =>
    v.sizes.map((s) => [
      approachLabel(v),
      formatSize(s.trainSize),
      fitCell(s.fromFit),
      effectiveCell(s.fromFit),
      interpolatedCell(s.fromInterpolation),
    ]),
  );
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Fitted learning curves' },
    {
      kind: 'paragraph',
      text:
        `Test error against training-set size, fitted per approach as err(n) = a·n^(−b) + c on the mean over seeds ` +
        `(least squares in the error itself; c is the floor the curve tends to with unlimited data). Intervals are 95% ` +
        (fits.testExamples !== null
          ? `bootstrap percentile intervals over ${fits.replicates} replicates, each resampling the ${fits.seeds} seeds and ` +
            `redrawing every trial's test accuracy on its ${fits.testExamples} test examples (binomial), so the test set's own ` +
            `noise is in them and the replicates are not limited to the seeds' ${fits.distinctResamples} combinations. `
          : `bootstrap percentile intervals over ${fits.replicates} resamples of the ${fits.seeds} seeds; ${fits.seeds} seeds allow only ` +
            `${fits.distinctResamples} different resamples, so they are coarse. `) +
        `On the chart, each fit is solid over the sizes run ` +
        `and dashed up to ${EXTRAPOLATION_FACTOR}× the largest: the dashed part is an extrapolation.`,
    },
    {
      kind: 'table',
      headers: ['Approach', 'a', 'b (exponent)', 'c (error floor)', 'Sizes fitted'],
      rows: paramRows,
    },
  ];
  if (multiplierRows.length > 0) {
    blocks.push(
      {
        kind: 'paragraph',
        text:
          'Data multiplier at size N: how many times N scratch needs to match the fine-tuning variant at N, read off the ' +
          'fitted curves and, for comparison, interpolated on scratch’s measured curve. The effective data transferred ' +
          '(Hernandez et al., 2021) is the extra examples scratch needs: matching size − N. "Never": scratch’s fitted ' +
          'floor is above the variant’s error.',
      },
      {
        kind: 'table',
        headers: ['Variant', 'N', 'Multiplier (fit)', 'Effective data transferred (fit)', 'Multiplier (interpolated)'],
        rows: multiplierRows,
        numeric: [false, true, false, false, false],
      },
    );
  }
  return blocks;
}
