import type { Approach } from '../domain.js';
import type { VariantComparison, SizeComparison } from './comparison.js';
import type { DataMultiplier } from './data-multiplier.js';
import type { PretrainCost, TargetAccuracy, TimeToTarget } from './cost.js';
import type { OverfittingGap } from './overfitting.js';
import type { GroupSummary } from './summary-stats.js';
import { crossoverWording } from './plain-answer.js';
import {
  APPROACH_LABELS,
  capitalised,
  formatFlops,
  formatMultiplier,
  formatPercent,
  formatPoints,
  formatSeconds,
  formatSize,
  plural,
} from './format.js';

export interface VerdictInput {
  accuracy: readonly GroupSummary[];
  comparisons: readonly VariantComparison[];
  tolerance: number;
  target: TargetAccuracy | null;
  timeToTarget: readonly TimeToTarget[];
  pretrain: PretrainCost | null;
  overfitting: readonly OverfittingGap[];
}

/** "is 18.2 ± 3.1 points ahead of scratch", with the paired 95% interval's half-width when there is one. */
export function differencePhrase(size: SizeComparison): string | null {
  const d = size.difference;
  if (!d) return null;
  const points = formatPoints(Math.abs(d.difference));
  const interval = d.interval;
  const spread = interval ? ` ± ${formatPoints((interval.high - interval.low) / 2)}` : '';
  let phrase: string;
  if (points === '0.0') phrase = `is level with scratch${spread ? ` (difference 0.0${spread} points)` : ''}`;
  else if (d.difference > 0) phrase = `is ${points}${spread} points ahead of scratch`;
  else phrase = `is ${points}${spread} points behind scratch`;
  if (!interval) phrase += ' (one seed on a side: no interval)';
  else if (d.significant === false && points !== '0.0')
    phrase += ` (not significant${d.family > 1 ? ` after Holm's correction over ${d.family} tests` : ' at 95%'})`;
  return phrase;
}

export function multiplierPhrase(m: DataMultiplier): string | null {
  switch (m.kind) {
    case 'interpolated':
      return m.scratchAhead
        ? 'scratch matches it with no more data'
        : `scratch needs about ${formatMultiplier(m.multiplier)}× more data to match it`;
    case 'at-most':
      return m.scratchAhead
        ? 'scratch matches it with no more data'
        : `scratch matches it at the smallest size run, at most ${formatMultiplier(m.multiplierAtMost)}× the data`;
    case 'more-than-largest':
      return `scratch does not match it even with ${formatSize(m.largestSize)} examples, the largest size run (more than ${formatMultiplier(m.multiplierAbove)}× the data)`;
    case 'not-defined':
      return 'the data multiplier is not defined there (a lead within the noise on curves that are flat within the noise)';
    case 'no-data':
      return null;
  }
}

/**
 * One variant against scratch in a sentence: the first size's difference and data multiplier, then the crossover in
 * the words the app's Answer table and the plain answer use (crossoverWording: one function). A variant behind scratch
 * by more than the tolerance at every size run is said to trail everywhere (the crossover's words give the range of its
 * deficits), instead of
 * a data multiplier and a crossover at the smallest size that mean nothing there.
 */
export function comparisonSentence(c: VariantComparison, tolerance: number): string | null {
  const compared = c.sizes.filter((s) => s.difference !== null);
  const first = compared[0];
  if (!first) return null;
  const label = APPROACH_LABELS[c.approach];
  const deficits = compared.map((s) => -s.difference!.difference);
  if (deficits.every((d) => d > tolerance + 1e-9)) {
    // the crossover's words give the range of the deficits ("scratch is ahead at every size run, by 3.5–16.5 points")
    const where =
      compared.length === 1
        ? `at the one size compared (${formatSize(first.trainSize)} examples)`
        : 'at every size run';
    return `${capitalised(label)} trails scratch ${where}: with ${formatSize(first.trainSize)} examples it ${differencePhrase(first)!}; ${crossoverWording(c, tolerance)}.`;
  }
  const parts = [
    `With ${formatSize(first.trainSize)} examples, ${label} ${differencePhrase(first)!}`,
    multiplierPhrase(first.multiplier),
    crossoverWording(c, tolerance),
  ].filter((p): p is string => p !== null);
  return `${parts.join('; ')}.`;
}

function bestAt(accuracy: readonly GroupSummary[], trainSize: number): GroupSummary | undefined {
  return accuracy
    .filter((g) => g.trainSize === trainSize)
    .reduce<GroupSummary | undefined>((a, b) => (!a || b.mean > a.mean ? b : a), undefined);
}

function bestSentence(accuracy: readonly GroupSummary[]): string | null {
  if (accuracy.length === 0) return null;
  const sizes = [...new Set(accuracy.map((g) => g.trainSize))].sort((a, b) => a - b);
  const ends = sizes.length > 1 ? [sizes[0]!, sizes[sizes.length - 1]!] : [sizes[0]!];
  const parts = ends.map((size) => {
    const best = bestAt(accuracy, size)!;
    return `at ${formatSize(size)} examples the most accurate is ${APPROACH_LABELS[best.approach]} (${formatPercent(best.mean)} test accuracy)`;
  });
  return `${parts.join('; ')}.`;
}

function targetSentence(target: TargetAccuracy | null, times: readonly TimeToTarget[]): string | null {
  if (!target || times.length === 0) return null;
  const origin =
    target.source === 'user'
      ? 'the target set for this analysis'
      : `the best fine-tuning variant's mean best validation accuracy at ${formatSize(target.trainSize ?? 0)} examples`;
  const approaches = [...new Set(times.map((t) => t.approach))];
  const parts = approaches.map((approach: Approach) => {
    const reliable = times.find((t) => t.approach === approach && t.trials > 0 && t.reached === t.trials);
    if (!reliable || reliable.meanSeconds === null)
      return `${APPROACH_LABELS[approach]} did not reach it in every seed at any size`;
    const whole =
      reliable.meanSecondsWithSelection !== null
        ? `${formatSeconds(reliable.meanSecondsWithSelection)}${reliable.meanFlopsWithSelection !== null ? `, ${formatFlops(reliable.meanFlopsWithSelection)}` : ''}`
        : 'an unrecorded time';
    const alone = `${formatSeconds(reliable.meanSeconds)}${reliable.meanFlops !== null ? `, ${formatFlops(reliable.meanFlops)}` : ''}`;
    return `${APPROACH_LABELS[approach]} took ${whole} at ${formatSize(reliable.trainSize)} examples (final run alone ${alone})`;
  });
  return `To reach ${formatPercent(target.value)} validation accuracy (${origin}), model selection included (mean over seeds, at the smallest size where every seed got there): ${parts.join('; ')}.`;
}

function pretrainSentence(p: PretrainCost | null): string | null {
  if (!p || p.wallSeconds === null) return null;
  const flops = p.trainFlops !== null ? ` and about ${formatFlops(p.trainFlops)}` : '';
  const reused = p.reused ? ' (reused from an earlier run, so paid once, before this suite)' : '';
  const spread =
    p.amortisedWallSeconds !== null
      ? `; spread over the suite's ${plural(p.fineTuningTrials, 'fine-tuning trial')} that is ${formatSeconds(p.amortisedWallSeconds)} per trial`
      : '';
  return `Pretraining on ${p.sourceDescription} took ${formatSeconds(p.wallSeconds)}${flops}${reused}${spread}.`;
}

function overfittingSentence(gaps: readonly OverfittingGap[]): string | null {
  const worst = gaps.reduce<OverfittingGap | undefined>((a, b) => (!a || b.meanGap > a.meanGap ? b : a), undefined);
  if (!worst) return null;
  return `The largest gap between train and validation accuracy at the best epoch is ${formatPoints(worst.meanGap)} points (${APPROACH_LABELS[worst.approach]} at ${formatSize(worst.trainSize)} examples).`;
}

/** Plain-language sentences built only from the computed numbers. */
export function buildVerdict(input: VerdictInput): string[] {
  const comparisons = input.comparisons.map((c) => comparisonSentence(c, input.tolerance)).filter((s) => s !== null);
  if (comparisons.length === 0) {
    comparisons.push('No size has results for both scratch and a fine-tuning variant, so there is nothing to compare.');
  }
  const sentences = [
    bestSentence(input.accuracy),
    ...comparisons,
    targetSentence(input.target, input.timeToTarget),
    pretrainSentence(input.pretrain),
    overfittingSentence(input.overfitting),
  ].filter((s): s is string => s !== null);
  return sentences.map(capitalised);
}
