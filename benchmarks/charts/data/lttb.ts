/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013): the indices of at most `threshold` points that
 * keep a line's visual shape. Used to draw long curves on screen only; exports keep every point.
 * The first and last points are always kept; below 3 or at least n points every index is returned.
 */
export function lttbIndices(x: readonly number[], y: readonly number[], threshold: number): number[] {
  const n = Math.min(x.length, y.length);
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const every = (n - 2) / (threshold - 2);
  const picked = [0];
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket is the third corner of the triangle.
    const avgStart = Math.floor((i + 1) * every) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      avgX += x[j]!;
      avgY += y[j]!;
    }
    const count = Math.max(1, avgEnd - avgStart);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((x[a]! - avgX) * (y[j]! - y[a]!) - (x[a]! - x[j]!) * (avgY - y[a]!));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    picked.push(best);
    a = best;
  }
  picked.push(n - 1);
  return picked;
}

/** The points to draw: all of them, or an LTTB selection on the mean line (bands follow the same points). */
export function thinForScreen<P extends { x: number; mean: number }>(points: readonly P[], maxPoints: number): P[] {
  if (points.length <= maxPoints) return [...points];
  const idx = lttbIndices(
    points.map((p) => p.x),
    points.map((p) => p.mean),
    maxPoints,
  );
  return idx.map((i) => points[i]!);
}
