/**
 * Least-squares fit of a learning curve as a power law with a floor: err(n) = a·n^(−b) + c.
 *
 * How: variable projection (Golub and Pereyra). For a fixed exponent b the model is linear in (a, c), so the best
 * a and c have a closed form (a two-parameter linear regression of err on n^(−b), with the constraints a ≥ 0 and
 * c ≥ 0 handled exactly on the boundary). What is left is a one-dimensional search over b: a log-spaced grid finds
 * the basin, golden-section search refines it. This minimises the squared error in err itself (not in log err, as
 * a log-linear fit would), needs no starting point and cannot diverge, which a general Levenberg–Marquardt on three
 * parameters can on four to nine noisy points. No well-kept least-squares library is among our dependencies, and
 * the method is small enough to test completely.
 */

export interface PowerLawParams {
  /** Scale: how much error there is to lose above the floor, at n = 1. */
  a: number;
  /** Exponent: how fast the error falls with more data. */
  b: number;
  /** Floor: the error the curve tends to with unlimited data. */
  c: number;
}

export interface PowerLawFit extends PowerLawParams {
  /** Residual sum of squares at the fit. */
  rss: number;
  /** Distinct sizes fitted. */
  sizes: number;
}

export interface LearningCurvePoint {
  trainSize: number;
  /** The quantity to fit, e.g. test error (1 − accuracy), mean over seeds. */
  error: number;
}

/** Three parameters need at least four sizes to leave any degree of freedom to check them against. */
export const MIN_FIT_SIZES = 4;

/** The exponents searched: err(n) = a·n^(−b) + c with b in this range. */
export const EXPONENT_RANGE = { min: 0.01, max: 4 } as const;

const GRID_POINTS = 96;
const GOLDEN_ITERATIONS = 48;

/** A curve that cannot be fitted (too few sizes, values that are not numbers). */
export class FitRefused extends Error {
  override name = 'FitRefused';
}

export function powerLaw(params: PowerLawParams, trainSize: number): number {
  return params.a * trainSize ** -params.b + params.c;
}

/**
 * The size at which `params` reaches `error`: n = (a / (error − c))^(1/b). null when the curve never gets there
 * (the error asked for is at or below the floor c, or the curve is flat); the size may be below 1 when the curve
 * starts there already.
 */
export function sizeForError(params: PowerLawParams, error: number): number | null {
  if (!(error > params.c) || params.a <= 0 || params.b <= 0) return null;
  return (params.a / (error - params.c)) ** (1 / params.b);
}

interface LinearPart {
  a: number;
  c: number;
  rss: number;
}

function rssOf(x: readonly number[], y: readonly number[], a: number, c: number): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (y[i]! - a * x[i]! - c) ** 2;
  return sum;
}

/** Best a ≥ 0, c ≥ 0 for y ≈ a·x + c (a convex quadratic: the optimum is inside or on one of the two boundaries). */
function solveLinear(x: readonly number[], y: readonly number[]): LinearPart {
  const n = x.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let sxxRaw = 0;
  let sxyRaw = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxxRaw += x[i]! ** 2;
    sxyRaw += x[i]! * y[i]!;
  }
  if (sxx > 0) {
    const a = sxy / sxx;
    const c = my - a * mx;
    if (a >= 0 && c >= 0) return { a, c, rss: rssOf(x, y, a, c) };
  }
  const candidates: LinearPart[] = [];
  const aOnly = sxxRaw > 0 ? Math.max(0, sxyRaw / sxxRaw) : 0;
  candidates.push({ a: aOnly, c: 0, rss: rssOf(x, y, aOnly, 0) });
  const cOnly = Math.max(0, my);
  candidates.push({ a: 0, c: cOnly, rss: rssOf(x, y, 0, cOnly) });
  return candidates.reduce((best, next) => (next.rss < best.rss ? next : best));
}

/**
 * Fits err(n) = a·n^(−b) + c (a ≥ 0, b in EXPONENT_RANGE, c ≥ 0) to the points by least squares.
 * Throws FitRefused with a message that says what is missing when there are fewer than MIN_FIT_SIZES distinct sizes.
 */
export function fitPowerLaw(points: readonly LearningCurvePoint[]): PowerLawFit {
  for (const p of points) {
    if (!Number.isFinite(p.error) || !Number.isFinite(p.trainSize) || p.trainSize <= 0)
      throw new FitRefused(`cannot fit a learning curve through size ${p.trainSize}, error ${p.error}: not a number`);
  }
  const sizes = new Set(points.map((p) => p.trainSize));
  if (sizes.size < MIN_FIT_SIZES)
    throw new FitRefused(
      `a power law with a floor has three parameters and needs results at ${MIN_FIT_SIZES} or more training-set sizes; ` +
        `this curve has ${sizes.size}. Add sizes to the suite to get a fitted curve.`,
    );
  const n = points.map((p) => p.trainSize);
  const y = points.map((p) => p.error);
  const profile = (b: number) => {
    const x = n.map((size) => size ** -b);
    return { b, ...solveLinear(x, y) };
  };
  const logMin = Math.log(EXPONENT_RANGE.min);
  const logMax = Math.log(EXPONENT_RANGE.max);
  const grid = Array.from({ length: GRID_POINTS }, (_, i) =>
    Math.exp(logMin + ((logMax - logMin) * i) / (GRID_POINTS - 1)),
  );
  let bestIndex = 0;
  let best = profile(grid[0]!);
  for (let i = 1; i < grid.length; i++) {
    const candidate = profile(grid[i]!);
    if (candidate.rss < best.rss) {
      best = candidate;
      bestIndex = i;
    }
  }
  // Golden-section search on log b between the grid neighbours of the best grid point.
  let lo = Math.log(grid[Math.max(0, bestIndex - 1)]!);
  let hi = Math.log(grid[Math.min(grid.length - 1, bestIndex + 1)]!);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - ratio * (hi - lo);
  let x2 = lo + ratio * (hi - lo);
  let f1 = profile(Math.exp(x1));
  let f2 = profile(Math.exp(x2));
  for (let i = 0; i < GOLDEN_ITERATIONS; i++) {
    if (f1.rss <= f2.rss) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = profile(Math.exp(x1));
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = profile(Math.exp(x2));
    }
  }
  for (const candidate of [f1, f2]) if (candidate.rss < best.rss) best = candidate;
  return { a: best.a, b: best.b, c: best.c, rss: best.rss, sizes: sizes.size };
}
