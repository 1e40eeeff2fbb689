/** One seed's curve: x strictly increasing (epochs, or seconds), y the values at those x. */
export interface SeedCurve {
  x: readonly number[];
  y: readonly number[];
}

/** Values of several seeds at one common x: only the seeds whose curve covers x contribute. */
export interface AlignedColumn {
  x: number;
  values: number[];
}

/**
 * Aligns curves on identical x values (epochs): each x that any seed has becomes a column
 * holding the value of every seed that has it. Seeds stopped early simply stop contributing.
 */
export function alignOnSharedX(curves: readonly SeedCurve[]): AlignedColumn[] {
  const columns = new Map<number, number[]>();
  for (const curve of curves) {
    for (let i = 0; i < curve.x.length; i++) {
      const x = curve.x[i]!;
      const y = curve.y[i]!;
      if (!Number.isFinite(y)) continue;
      let values = columns.get(x);
      if (!values) columns.set(x, (values = []));
      values.push(y);
    }
  }
  return [...columns.entries()].sort(([a], [b]) => a - b).map(([x, values]) => ({ x, values }));
}

/** Most columns a wall-time alignment produces; beyond it the grid is evenly spaced. */
export const MAX_ALIGNED_COLUMNS = 2000;

/**
 * Aligns curves measured at different x (wall-clock seconds): the common grid is the union of all
 * seeds' x values (or, when that has more than `maxColumns` values, `maxColumns` evenly spaced x
 * over the same span); each seed contributes, by linear interpolation between its own neighbouring
 * points, at every grid x within [its first x, its last x], and nothing outside that range
 * (no extrapolation before a seed's first evaluation or after it stopped).
 */
export function alignByInterpolation(
  curves: readonly SeedCurve[],
  maxColumns: number = MAX_ALIGNED_COLUMNS,
): AlignedColumn[] {
  const finite = curves.map((c) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < c.x.length; i++) {
      if (Number.isFinite(c.y[i]) && Number.isFinite(c.x[i])) {
        x.push(c.x[i]!);
        y.push(c.y[i]!);
      }
    }
    return { x, y };
  });
  let grid = [...new Set(finite.flatMap((c) => c.x))].sort((a, b) => a - b);
  if (grid.length > maxColumns && maxColumns >= 2) {
    const first = grid[0]!;
    const span = grid[grid.length - 1]! - first;
    grid = Array.from({ length: maxColumns }, (_, i) => first + (span * i) / (maxColumns - 1));
  }
  const columns: AlignedColumn[] = grid.map((x) => ({ x, values: [] }));
  for (const curve of finite) {
    const n = curve.x.length;
    if (n === 0) continue;
    let segment = 0;
    for (const column of columns) {
      const x = column.x;
      if (x < curve.x[0]! || x > curve.x[n - 1]!) continue;
      while (segment < n - 1 && curve.x[segment + 1]! < x) segment++;
      const x0 = curve.x[segment]!;
      const y0 = curve.y[segment]!;
      if (x === x0 || segment === n - 1) {
        column.values.push(y0);
        continue;
      }
      const x1 = curve.x[segment + 1]!;
      const y1 = curve.y[segment + 1]!;
      column.values.push(y0 + ((y1 - y0) * (x - x0)) / (x1 - x0));
    }
  }
  return columns.filter((c) => c.values.length > 0);
}
