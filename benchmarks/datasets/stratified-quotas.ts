/**
 * Splits `total` across `parts` as evenly as possible; the remainder goes one each to the lowest indices.
 * Each part's share never decreases as `total` grows, which is what keeps subsets nested across sizes.
 */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const remainder = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < remainder ? 1 : 0));
}
