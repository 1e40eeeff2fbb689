import type { Variant, VariantComparison } from '../contract.js';
import type { Approach } from '../domain.js';
import { multiplierArrows, timesText, type MultiplierArrow } from './multiplier-arrows.js';
import { armLabel, sameArm, type Arm } from '../spec/sources.js';

const sourceField = (m: { source?: string }) => (m.source === undefined ? {} : { source: m.source });
import type { EfficiencyMetric } from './data/metrics.js';

/** The default size and which multipliers get an arrow live with the analysis, shared with the report's chart. */
export { defaultMarkedSize } from './multiplier-arrows.js';

/**
 * The answer drawn on the data-efficiency chart.
 * - crossover: a vertical line at the size from which scratch stays within the tolerance of the variant;
 * - multiplier: a horizontal arrow at the variant's mean accuracy at `from`, to `to` = the (interpolated) size at
 *   which scratch's curve reaches that accuracy; `to / from` is the data multiplier.
 */
export type AnswerMark =
  | {
      kind: 'crossover';
      approach: Variant;
      /** The source the variant starts from, in a suite with several. */
      source?: string;
      size: number;
      label: string;
      /** Crossovers at the same size share one line: this one's index among them and how many there are. */
      slot: number;
      shared: number;
    }
  | ({ kind: 'multiplier' } & MultiplierArrow);

/** What the chart container exposes as `data-answer-marks`. */
export type AnswerMarkSummary =
  | { kind: 'crossover'; approach: Variant; source?: string; size: number; label: string }
  | { kind: 'multiplier'; approach: Variant; source?: string; from: number; to: number; label: string };

function sizeText(size: number): string {
  return Math.round(size).toLocaleString('en-US');
}

/**
 * The marks for the chart: a crossover line per variant whose crossover is reached above the smallest size
 * (reached at the smallest size means scratch is within the tolerance everywhere, so there is no point to mark;
 * not reached means it lies beyond the sizes run), and at `markedSize` an arrow per variant whose data multiplier
 * was interpolated with scratch behind. Bounds (at most, more than the largest size run) and sizes where scratch is
 * ahead draw nothing.
 */
export function answerMarks(comparisons: readonly VariantComparison[], markedSize: number | null): AnswerMark[] {
  const crossings = comparisons.flatMap((c) =>
    c.crossover.kind === 'reached' && !c.crossover.atSmallestSize
      ? [{ approach: c.approach, ...sourceField(c), size: c.crossover.trainSize }]
      : [],
  );
  const crossovers: AnswerMark[] = crossings.map((arm) => {
    const { size } = arm;
    const sameSize = crossings.filter((x) => x.size === size);
    return {
      kind: 'crossover',
      ...arm,
      label: `${armLabel(arm)} ≈ scratch from ${sizeText(size)}`,
      slot: sameSize.findIndex((x) => sameArm(x, arm)),
      shared: sameSize.length,
    };
  });
  const multipliers: AnswerMark[] = multiplierArrows(comparisons, markedSize).map((a) => ({
    kind: 'multiplier',
    ...a,
  }));
  return [...crossovers, ...multipliers];
}

/**
 * The marks a chart of `metric` with lines for `lines` (approaches, from their sources) draws: crossover lines on
 * either metric (they mark a size), arrows only on the accuracy chart (their height is an accuracy); none for an
 * approach without a line.
 */
export function marksToDraw(
  marks: readonly AnswerMark[],
  metric: EfficiencyMetric,
  lines: readonly (Approach | Arm)[],
): AnswerMark[] {
  const arms = lines.map((l) => (typeof l === 'string' ? { approach: l } : l));
  return marks.filter((m) => arms.some((a) => sameArm(a, m)) && (m.kind === 'crossover' || metric === 'testAccuracy'));
}

/** The marks without drawing details, for the `data-answer-marks` test hook. */
export function summarizeMarks(marks: readonly AnswerMark[]): AnswerMarkSummary[] {
  return marks.map((m) =>
    m.kind === 'crossover'
      ? { kind: m.kind, approach: m.approach, ...sourceField(m), size: m.size, label: m.label }
      : { kind: m.kind, approach: m.approach, ...sourceField(m), from: m.from, to: m.to, label: m.label },
  );
}

/** The marks in words, for the chart's accessible label and the note under it. */
export function describeMarks(marks: readonly AnswerMark[]): string[] {
  return marks.map((m) =>
    m.kind === 'crossover'
      ? `dashed line: from ${sizeText(m.size)} examples on scratch stays within the tolerance of ${armLabel(m)}`
      : `arrow: ${armLabel(m)} at ${sizeText(m.from)} examples is matched by scratch at about ${sizeText(m.to)} (${timesText(m.multiplier)} the data)`,
  );
}
