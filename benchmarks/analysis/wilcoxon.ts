import { normalCdf } from './student-t.js';

export interface SignedRankTest {
  /** Non-zero differences ranked (zeros are dropped, Wilcoxon's convention). */
  n: number;
  /** min(W+, W−), the statistic scipy.stats.wilcoxon reports for a two-sided test. */
  statistic: number;
  /** Two-sided p-value; 1 when every difference is zero. */
  pValue: number;
  /** `exact`: the sign-flip distribution of the mid-ranks (n ≤ 50); `normal`: the tie-corrected normal approximation. */
  method: 'exact' | 'normal';
}

/** Up to this many non-zero differences the p-value is exact (scipy's `method='auto'` switches at the same count). */
const EXACT_UP_TO = 50;

/** Mid-ranks of |d| (ties share the mean of the ranks they span), 1-based. */
function midRanks(absolute: readonly number[]): number[] {
  const order = absolute.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(absolute.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    const rank = (start + end + 2) / 2;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Wilcoxon's signed-rank test of paired differences against 0, two-sided. Zeros are dropped (zero_method 'wilcox');
 * tied absolute values share their mid-rank. With at most 50 non-zero differences the p-value is exact: the
 * distribution of W+ when every sign is a fair coin flip, over the mid-ranks actually observed (so it stays exact with
 * ties; without ties it is the classical table, and equals scipy.stats.wilcoxon's exact p-value). Beyond 50, the
 * normal approximation with the tie correction of the variance (scipy's `method='approx'`, no continuity correction).
 */
export function wilcoxonSignedRank(differences: readonly number[]): SignedRankTest {
  const nonZero = differences.filter((d) => d !== 0);
  const n = nonZero.length;
  if (n === 0) return { n: 0, statistic: 0, pValue: 1, method: 'exact' };
  const ranks = midRanks(nonZero.map(Math.abs));
  const plus = nonZero.reduce((s, d, i) => s + (d > 0 ? ranks[i]! : 0), 0);
  const total = (n * (n + 1)) / 2;
  const statistic = Math.min(plus, total - plus);
  if (n <= EXACT_UP_TO) {
    // Mid-ranks are multiples of 1/2: count sign assignments by the doubled rank sum (integers up to n(n+1)).
    const doubled = ranks.map((r) => Math.round(2 * r));
    const max = doubled.reduce((s, r) => s + r, 0);
    let counts = new Float64Array(max + 1);
    counts[0] = 1;
    for (const r of doubled) {
      const next = new Float64Array(max + 1);
      for (let s = 0; s <= max; s++) {
        if (counts[s] === 0) continue;
        next[s] = next[s]! + counts[s]!;
        next[s + r] = next[s + r]! + counts[s]!;
      }
      counts = next;
    }
    const all = 2 ** n;
    const observed = Math.round(2 * statistic);
    let tail = 0;
    for (let s = 0; s <= observed; s++) tail += counts[s]!;
    return { n, statistic, pValue: Math.min(1, (2 * tail) / all), method: 'exact' };
  }
  const tieGroups = new Map<number, number>();
  for (const r of ranks) tieGroups.set(r, (tieGroups.get(r) ?? 0) + 1);
  let variance = (n * (n + 1) * (2 * n + 1)) / 24;
  for (const t of tieGroups.values()) variance -= (t * (t * t - 1)) / 48;
  const z = (statistic - total / 2) / Math.sqrt(variance);
  return { n, statistic, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))), method: 'normal' };
}
