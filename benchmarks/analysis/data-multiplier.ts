import type { CurvePoint } from './crossover.js';

export type DataMultiplier =
  /**
   * Scratch reaches the variant's accuracy at `matchingSize` (interpolated); `multiplier` = matchingSize / N.
   * `scratchAhead` when multiplier ≤ 1: scratch already does at least as well with no more data.
   */
  | { kind: 'interpolated'; matchingSize: number; multiplier: number; scratchAhead: boolean }
  /** Scratch at the smallest size run already matches: the multiplier is at most smallestSize / N. */
  | { kind: 'at-most'; smallestSize: number; multiplierAtMost: number; scratchAhead: boolean }
  /** Scratch never reaches it within the sizes run: the multiplier is more than largestSize / N. */
  | { kind: 'more-than-largest'; largestSize: number; multiplierAbove: number }
  /**
   * Not defined: at this size the variant's lead is within the noise (its paired 95% interval includes 0) and both
   * curves are flat within their 95% intervals around it, so any matching size read off scratch's curve is noise
   * (a +0.2-point lead on a flat curve would read as ×1.7).
   */
  | { kind: 'not-defined' }
  /** Scratch has no results. */
  | { kind: 'no-data' };

const COMPARE_EPSILON = 1e-12;

/**
 * Data multiplier at size N (the "effective data transferred" of Hernandez et al., 2021, as a ratio):
 * the training-set size scratch needs to reach `targetAccuracy` (the variant's mean accuracy at N), divided by N.
 *
 * Scratch's mean accuracy is made monotone with a running maximum over increasing size (a dip at a larger
 * size is noise, not a sign that more data hurts, and a monotone curve has one first crossing), then
 * interpolated linearly in log(size) between the sizes run. No extrapolation: below the smallest size the
 * answer is an upper bound, above the largest a lower bound.
 */
export function dataMultiplier(
  trainSize: number,
  targetAccuracy: number,
  scratch: readonly CurvePoint[],
): DataMultiplier {
  const points = [...scratch].sort((a, b) => a.trainSize - b.trainSize);
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return { kind: 'no-data' };
  let runningMax = -Infinity;
  const monotone = points.map((p) => ({ trainSize: p.trainSize, mean: (runningMax = Math.max(runningMax, p.mean)) }));
  const index = monotone.findIndex((p) => p.mean >= targetAccuracy - COMPARE_EPSILON);
  if (index === -1)
    return { kind: 'more-than-largest', largestSize: last.trainSize, multiplierAbove: last.trainSize / trainSize };
  const hit = monotone[index]!;
  if (index === 0) {
    if (Math.abs(hit.mean - targetAccuracy) <= COMPARE_EPSILON) {
      const multiplier = hit.trainSize / trainSize;
      return { kind: 'interpolated', matchingSize: hit.trainSize, multiplier, scratchAhead: multiplier <= 1 };
    }
    const multiplierAtMost = hit.trainSize / trainSize;
    return { kind: 'at-most', smallestSize: hit.trainSize, multiplierAtMost, scratchAhead: multiplierAtMost <= 1 };
  }
  const before = monotone[index - 1]!;
  const fraction = Math.min(1, Math.max(0, (targetAccuracy - before.mean) / (hit.mean - before.mean)));
  const logSize = Math.log(before.trainSize) + fraction * (Math.log(hit.trainSize) - Math.log(before.trainSize));
  // A target on a size run is matched at exactly that size, not at exp(log(size)) with its rounding.
  const matchingSize = fraction === 1 ? hit.trainSize : Math.exp(logSize);
  const multiplier = matchingSize / trainSize;
  return { kind: 'interpolated', matchingSize, multiplier, scratchAhead: multiplier <= 1 };
}
