/** Mean accuracy of one approach at one size. */
export interface CurvePoint {
  trainSize: number;
  mean: number;
}

/** Default tolerance: 0.01 of accuracy, i.e. one percentage point. */
export const DEFAULT_TOLERANCE = 0.01;

/** Absorbs floating-point noise, so that 0.91 − 0.90 counts as exactly one point. */
const COMPARE_EPSILON = 1e-9;

export type Crossover =
  /** From `trainSize` on (at it and at every larger size compared), scratch trails by at most the tolerance. */
  | { kind: 'reached'; trainSize: number; atSmallestSize: boolean; gap: number }
  /** At the largest size compared scratch still trails by more than the tolerance. */
  | { kind: 'not-reached'; largestSize: number; gap: number }
  /** No size has results for both approaches. */
  | { kind: 'no-data' };

/**
 * Crossover size: the smallest size from which scratch stays within `tolerance` of the variant,
 * i.e. variant − scratch ≤ tolerance at that size and at every larger size that both ran
 * (scratch being ahead counts as within). Only sizes with a mean for both are compared.
 * `gap` is variant − scratch at the crossover size (or at the largest size when not reached).
 */
export function findCrossover(
  variant: readonly CurvePoint[],
  scratch: readonly CurvePoint[],
  tolerance: number = DEFAULT_TOLERANCE,
): Crossover {
  const scratchBySize = new Map(scratch.map((p) => [p.trainSize, p.mean]));
  const gaps = variant
    .filter((p) => scratchBySize.has(p.trainSize))
    .map((p) => ({ trainSize: p.trainSize, gap: p.mean - scratchBySize.get(p.trainSize)! }))
    .sort((x, y) => x.trainSize - y.trainSize);
  const last = gaps[gaps.length - 1];
  if (!last) return { kind: 'no-data' };
  if (last.gap > tolerance + COMPARE_EPSILON)
    return { kind: 'not-reached', largestSize: last.trainSize, gap: last.gap };
  let from = gaps.length - 1;
  while (from > 0 && gaps[from - 1]!.gap <= tolerance + COMPARE_EPSILON) from--;
  const point = gaps[from]!;
  return { kind: 'reached', trainSize: point.trainSize, atSmallestSize: from === 0, gap: point.gap };
}
