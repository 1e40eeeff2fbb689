/**
 * Axis ranges fitted to the mean lines, not to the bands: with two seeds a 95% interval can be ten
 * times wider than the differences that matter, and an axis stretched to it squashes the lines.
 * Bands are clipped at the frame instead.
 */

export interface Extent {
  min: number;
  max: number;
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= rough - 1e-12 * power) return m * power;
  return 10 * power;
}

/**
 * A linear range around [lo, hi] with a little room, on multiples of a nice step (about five ticks),
 * clamped to [floor, ceiling]. A single value gets a range around it.
 */
export function niceExtent(values: readonly number[], floor = -Infinity, ceiling = Infinity): Extent | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  if (hi - lo < 1e-12) {
    const half = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 0.5;
    lo -= half;
    hi += half;
  }
  const room = (hi - lo) * 0.06;
  const step = niceStep((hi - lo + 2 * room) / 5);
  const min = Math.max(floor, Math.floor((lo - room) / step) * step);
  const max = Math.min(ceiling, Math.ceil((hi + room) / step) * step);
  return { min: roundOff(min), max: roundOff(max) };
}

/** Whole decades around the positive values, for a log axis. */
export function decadeExtent(values: readonly number[]): Extent | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || v <= 0) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  const min = 10 ** Math.floor(Math.log10(lo));
  let max = 10 ** Math.ceil(Math.log10(hi));
  if (max <= min) max = min * 10;
  return { min, max };
}

/** Removes float noise such as 0.30000000000000004. */
function roundOff(value: number): number {
  return Number(value.toPrecision(12));
}

/**
 * Ticks for an axis from 0 to `max` (epochs, seconds): about five on a nice step, and always `max` itself, so the
 * last value run is labelled (data to 100 ends on a 100 tick). A nice tick closer than half a step to `max` gives way
 * to it, so the two labels never collide. `integer` keeps the step whole (epochs).
 */
export function linearTicks(max: number, integer = false): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0];
  let step = niceStep(max / 5);
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let i = 0; i * step < max - step / 2 + 1e-9 * step; i++) ticks.push(roundOff(i * step));
  ticks.push(roundOff(max));
  return ticks;
}
