/**
 * Deterministic pseudo-random numbers for data subsets and splits.
 * Everything a trial draws from data must be reproducible from (suite spec, seed), so nothing here uses Math.random.
 */

const TWO_POW_32 = 0x1_0000_0000;

/** Folds any finite number into 32 bits, keeping the high bits of seeds above 2^32 so they still matter. */
function toUint32(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const integer = Math.trunc(seed);
  const low = ((integer % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
  const high = Math.floor(Math.abs(integer) / TWO_POW_32) % TWO_POW_32;
  return (low ^ Math.imul(high, 0x9e3779b1)) >>> 0;
}

/** Mulberry32 (Tommy Ettinger): a small 32-bit PRNG with good statistical quality. Returns floats in [0, 1). */
export function createRng(seed: number): () => number {
  let state = toUint32(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  };
}

/**
 * A seed for an independent stream derived from `seed`, so that e.g. the subset draw and the order shuffle
 * of one trial do not share a sequence. Same inputs, same output.
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = toUint32(seed) ^ Math.imul(toUint32(stream) + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fisher–Yates shuffle, in place, driven by `rng`. */
export function shuffleInPlace<T>(array: { length: number; [i: number]: T }, rng: () => number): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = array[i] as T;
    array[i] = array[j] as T;
    array[j] = tmp;
  }
}
