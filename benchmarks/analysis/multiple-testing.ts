/** The family-wise error rate every corrected test in the analysis holds: 5%. */
export const FAMILY_ALPHA = 0.05;

/**
 * Holm's step-down correction (Holm, 1979) of a family of p-values, as adjusted p-values: sort ascending, multiply the
 * i-th smallest (from 0) by m − i, carry the running maximum, cap at 1. A test is significant at family-wise level α
 * when its adjusted p-value is below α. Entries that are null (no test) are left out of the family and stay null.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const tested = pValues.flatMap((p, index) => (p === null ? [] : [{ p, index }])).sort((a, b) => a.p - b.p);
  const m = tested.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  tested.forEach(({ p, index }, i) => {
    running = Math.max(running, Math.min(1, (m - i) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
