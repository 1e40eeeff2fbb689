import { formatDuration, formatNumber } from './format.js';

/** Axis tick for a rate in [0, 1], as a percentage without needless decimals. */
export function percentTick(value: number): string {
  const pct = value * 100;
  return `${Number.isInteger(Math.round(pct * 10) / 10) ? Math.round(pct) : pct.toFixed(1)}%`;
}

export function numberTick(value: number): string {
  return formatNumber(value, 3);
}

/** Training-set sizes on the log axis: 10, 100, 1k, 10k. */
export function sizeTick(value: number): string {
  if (value >= 1000 && value % 1000 === 0) return `${value / 1000}k`;
  return String(value);
}

export function secondsTick(value: number): string {
  return value === 0 ? '0' : formatDuration(value);
}

/** The x of the data point an axis tooltip snapped to: the first parameter's `[x, y]` value. */
export function hoveredX(params: unknown): number | null {
  const list = Array.isArray(params) ? params : [params];
  for (const p of list) {
    const value = (p as { value?: unknown } | null)?.value;
    if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  }
  const first = list[0] as { axisValue?: unknown } | undefined;
  return typeof first?.axisValue === 'number' ? first.axisValue : null;
}
