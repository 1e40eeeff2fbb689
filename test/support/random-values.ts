/**
 * Deterministic pseudo-random test values (a linear congruential generator): the same seed gives the same values on
 * every backend and run. Uniform in [-1, 1), or in [0, 1) with `unit`.
 */
export function randomValues(n: number, seed: number, range: 'signed' | 'unit' = 'signed'): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return range === 'unit' ? s / 2 ** 32 : s / 2 ** 31 - 1;
  });
}
