/**
 * Splits `total` across `parts` as evenly as possible; the remainder goes one each to the lowest indices.
 * With `capacity`, a part never gets more than its capacity and what it cannot take is shared evenly by the
 * others (water-filling), so sizes up to the whole pool stay possible when classes are uneven.
 * Each part's share never decreases as `total` grows, which is what keeps subsets nested across sizes.
 */
export function splitEvenly(total: number, parts: number, capacity?: readonly number[]): number[] {
  const shares = new Array<number>(parts).fill(0);
  let open = Array.from({ length: parts }, (_, i) => i);
  let remaining = total;
  for (;;) {
    const level = Math.floor(remaining / Math.max(1, open.length));
    const full = open.filter((i) => capacity !== undefined && (capacity[i] as number) <= level);
    if (full.length === 0) break;
    for (const i of full) {
      shares[i] = capacity![i] as number;
      remaining -= shares[i] as number;
    }
    open = open.filter((i) => !full.includes(i));
  }
  const base = Math.floor(remaining / Math.max(1, open.length));
  const remainder = remaining - base * open.length;
  open.forEach((i, rank) => (shares[i] = base + (rank < remainder ? 1 : 0)));
  return shares;
}
