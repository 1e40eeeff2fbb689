import type { CurvePoint } from '../analysis/crossover.js';
import { quantile } from '../analysis/learning-curves.js';
import { fitPowerLaw, FitRefused, powerLaw, type PowerLawParams } from '../analysis/power-law-fit.js';

/** Points of the log-spaced grid the fitted lead is read on, between the smallest and the largest size run. */
const GRID_POINTS = 400;
/** Absorbs floating-point noise, as findCrossover does. */
const COMPARE_EPSILON = 1e-9;

/**
 * Where the fitted curves cross: the size from which, up to the largest size run, the variant's fitted lead over scratch
 * stays within the tolerance (the report's crossover, read on the fits instead of the sizes run). `at-or-below`: the
 * lead is within the tolerance already at the smallest size; `not-reached`: it is still larger at the largest size.
 */
export type FittedCrossing = { kind: 'at'; size: number } | { kind: 'at-or-below' } | { kind: 'not-reached' };

/** The power-law fit of test error through the mean accuracies, or null when it is refused (fewer than four sizes). */
export function fitCurve(curve: readonly CurvePoint[]): PowerLawParams | null {
  try {
    return fitPowerLaw(curve.map((p) => ({ trainSize: p.trainSize, error: 1 - p.mean })));
  } catch (error) {
    if (error instanceof FitRefused) return null;
    throw error;
  }
}

/**
 * The crossing of two fitted curves over [smallest, largest]: the lead (scratch's fitted error minus the variant's) is
 * read on a log-spaced grid; the crossing is where it last comes down to the tolerance, interpolated on log size
 * between the two grid points around it.
 */
export function fittedCrossing(
  variant: PowerLawParams,
  scratch: PowerLawParams,
  smallest: number,
  largest: number,
  tolerance: number,
): FittedCrossing {
  const lead = (n: number) => powerLaw(scratch, n) - powerLaw(variant, n) - tolerance;
  const logLow = Math.log(smallest);
  const logHigh = Math.log(largest);
  const at = (i: number) => Math.exp(logLow + ((logHigh - logLow) * i) / (GRID_POINTS - 1));
  if (lead(largest) > COMPARE_EPSILON) return { kind: 'not-reached' };
  let from = GRID_POINTS - 1;
  while (from > 0 && lead(at(from - 1)) <= COMPARE_EPSILON) from--;
  if (from === 0) return { kind: 'at-or-below' };
  // lead > 0 at grid point from − 1, ≤ 0 at from: interpolate the zero on log size
  const x0 = Math.log(at(from - 1));
  const x1 = Math.log(at(from));
  const y0 = lead(at(from - 1));
  const y1 = lead(at(from));
  const x = y0 === y1 ? x1 : x0 + ((x1 - x0) * y0) / (y0 - y1);
  return { kind: 'at', size: Math.exp(x) };
}

/** The fitted crossover of one variant with scratch, its bootstrap interval, and how the resamples fell. */
export interface FittedCrossover {
  /** On the fits through the mean of every seed. */
  crossing: FittedCrossing;
  /** The crossing as a size: the smallest size run for at-or-below, Infinity for not-reached. */
  size: number;
  /** The central 90% of the resamples' crossing sizes (at-or-below counted as the smallest size, not-reached as Infinity). */
  low: number;
  high: number;
  /** Resamples that gave both fits, and the shares of them that put the crossing at or below the range, or beyond it. */
  resamples: number;
  atOrBelowShare: number;
  notReachedShare: number;
  /** The range of sizes run by both, that the crossing is read over. */
  smallest: number;
  largest: number;
}

export function crossingSize(c: FittedCrossing, smallest: number): number {
  return c.kind === 'at' ? c.size : c.kind === 'at-or-below' ? smallest : Infinity;
}

/**
 * The fitted crossover and its bootstrap: `resampled` gives the crossings of the resamples (null where a fit was
 * refused). The interval holds the central `share` of them.
 */
export function summarizeCrossings(
  crossing: FittedCrossing,
  resampled: readonly (FittedCrossing | null)[],
  smallest: number,
  largest: number,
  share: number,
): FittedCrossover {
  const sizes = resampled
    .filter((c): c is FittedCrossing => c !== null)
    .map((c) => crossingSize(c, smallest))
    .sort((a, b) => a - b);
  const tail = (1 - share) / 2;
  const count = (kind: FittedCrossing['kind']) => resampled.filter((c) => c?.kind === kind).length;
  return {
    crossing,
    size: crossingSize(crossing, smallest),
    low: sizes.length > 0 ? quantile(sizes, tail) : smallest,
    high: sizes.length > 0 ? quantile(sizes, 1 - tail) : Infinity,
    resamples: sizes.length,
    atOrBelowShare: sizes.length > 0 ? count('at-or-below') / sizes.length : 0,
    notReachedShare: sizes.length > 0 ? count('not-reached') / sizes.length : 0,
    smallest,
    largest,
  };
}
