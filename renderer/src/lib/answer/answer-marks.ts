import type { Variant, VariantComparison } from '../../../../benchmarks/analysis/comparison.js';
import type { Approach } from '../../../../benchmarks/domain.js';
import type { EfficiencyMetric } from '../chart-data/metrics.js';

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
      size: number;
      label: string;
      /** Crossovers at the same size share one line: this one's index among them and how many there are. */
      slot: number;
      shared: number;
    }
  | {
      kind: 'multiplier';
      approach: Variant;
      from: number;
      to: number;
      /** The variant's mean test accuracy at `from`: the height of the arrow. */
      accuracy: number;
      multiplier: number;
      label: string;
      /** Index by decreasing accuracy among the arrows: even slots label above the arrow, odd ones below. */
      slot: number;
    };

/** What the chart container exposes as `data-answer-marks`. */
export type AnswerMarkSummary =
  | { kind: 'crossover'; approach: Variant; size: number; label: string }
  | { kind: 'multiplier'; approach: Variant; from: number; to: number; label: string };

function sizeText(size: number): string {
  return Math.round(size).toLocaleString('en-US');
}

/** "×1.5", "×12": the same rounding as the Answer table. */
function timesText(multiplier: number): string {
  return `×${multiplier >= 10 ? multiplier.toFixed(0) : multiplier.toFixed(1)}`;
}

/** The multiplier of a variant at a size when it can be drawn: interpolated, with scratch needing more data. */
function drawableMultiplier(comparison: VariantComparison, size: number) {
  const at = comparison.sizes.find((s) => s.trainSize === size);
  if (!at || at.multiplier.kind !== 'interpolated' || at.multiplier.scratchAhead) return null;
  return { accuracy: at.variantMean, matchingSize: at.multiplier.matchingSize, multiplier: at.multiplier.multiplier };
}

/**
 * The size whose data multipliers are marked when the user has not picked one: the smallest size at which some
 * variant is ahead of scratch with a multiplier read off scratch's curve (interpolated, more than 1×). Null when none is.
 */
export function defaultMarkedSize(comparisons: readonly VariantComparison[]): number | null {
  const sizes = comparisons.flatMap((c) => c.sizes.map((s) => s.trainSize).filter((n) => drawableMultiplier(c, n)));
  return sizes.length === 0 ? null : Math.min(...sizes);
}

function multiplierMarks(comparisons: readonly VariantComparison[], from: number): AnswerMark[] {
  return comparisons
    .flatMap((c) => {
      const m = drawableMultiplier(c, from);
      return m ? [{ approach: c.approach, ...m }] : [];
    })
    .sort((a, b) => b.accuracy - a.accuracy)
    .map((a, slot) => ({
      kind: 'multiplier',
      approach: a.approach,
      from,
      to: a.matchingSize,
      accuracy: a.accuracy,
      multiplier: a.multiplier,
      label: `${timesText(a.multiplier)} data`,
      slot,
    }));
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
      ? [{ approach: c.approach, size: c.crossover.trainSize }]
      : [],
  );
  const crossovers: AnswerMark[] = crossings.map(({ approach, size }) => {
    const sameSize = crossings.filter((x) => x.size === size);
    return {
      kind: 'crossover',
      approach,
      size,
      label: `${approach} ≈ scratch from ${sizeText(size)}`,
      slot: sameSize.findIndex((x) => x.approach === approach),
      shared: sameSize.length,
    };
  });
  const multipliers = markedSize === null ? [] : multiplierMarks(comparisons, markedSize);
  return [...crossovers, ...multipliers];
}

/**
 * The marks a chart of `metric` with lines for `approaches` draws: crossover lines on either metric (they mark a size),
 * arrows only on the accuracy chart (their height is an accuracy); none for an approach without a line.
 */
export function marksToDraw(
  marks: readonly AnswerMark[],
  metric: EfficiencyMetric,
  approaches: readonly Approach[],
): AnswerMark[] {
  return marks.filter((m) => approaches.includes(m.approach) && (m.kind === 'crossover' || metric === 'testAccuracy'));
}

/** The marks without drawing details, for the `data-answer-marks` test hook. */
export function summarizeMarks(marks: readonly AnswerMark[]): AnswerMarkSummary[] {
  return marks.map((m) =>
    m.kind === 'crossover'
      ? { kind: m.kind, approach: m.approach, size: m.size, label: m.label }
      : { kind: m.kind, approach: m.approach, from: m.from, to: m.to, label: m.label },
  );
}

/** The marks in words, for the chart's accessible label and the note under it. */
export function describeMarks(marks: readonly AnswerMark[]): string[] {
  return marks.map((m) =>
    m.kind === 'crossover'
      ? `dashed line: from ${sizeText(m.size)} examples on scratch stays within the tolerance of ${m.approach}`
      : `arrow: ${m.approach} at ${sizeText(m.from)} examples is matched by scratch at about ${sizeText(m.to)} (${timesText(m.multiplier)} the data)`,
  );
}
