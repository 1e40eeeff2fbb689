/** Maps a data interval onto a pixel interval. */
export interface Scale {
  (value: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
}

function makeScale(
  domain: readonly [number, number],
  range: readonly [number, number],
  map: (v: number) => number,
): Scale {
  return Object.assign(map, { domain, range });
}

/** Linear mapping; a degenerate domain maps everything to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return makeScale(domain, range, () => (r0 + r1) / 2);
  return makeScale(domain, range, (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));
}

/** Logarithmic mapping (positive domain): equal ratios get equal distances. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  if (!(d0 > 0 && d1 > 0)) throw new RangeError('a log scale needs a positive domain');
  const inner = linearScale([Math.log(d0), Math.log(d1)], range);
  return makeScale(domain, range, (v) => inner(Math.log(v)));
}

/** About `count` round tick values (steps of 1, 2 or 5 × 10^k) covering [low, high]. */
export function linearTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step - 1e-9) * step; v <= high + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}
