/** "did you mean quick?" for a mistyped built-in suite name. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { builtinSuiteNames } from '../spec/load-suite.js';

/** Edits (insertions, deletions, substitutions, swaps of neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The names within a third of their length (at least 1, at most 3 edits) of `word`, closest first. */
export function similarNames(word: string, names: readonly string[]): string[] {
  const lower = word.toLowerCase();
  return names
    .map((name) => ({ name, distance: editDistance(lower, name.toLowerCase()) }))
    .filter(({ name, distance }) => distance <= Math.min(3, Math.max(1, Math.floor(name.length / 3))))
    .sort((a, b) => a.distance - b.distance)
    .map(({ name }) => name);
}

/**
 * Refuses a `run` argument that is neither a built-in suite nor an existing file but looks like a mistyped built-in
 * name, suggesting it. Anything else is left to the suite loader (whose errors name the file).
 */
export function checkSuiteArgument(argument: string, builtins: readonly string[] = builtinSuiteNames()): void {
  if (builtins.includes(argument) || existsSync(resolve(argument))) return;
  const bare = argument.replace(/\.json$/i, '');
  if (/[\\/]/.test(bare)) return;
  const similar = similarNames(bare, builtins);
  if (similar.length === 0) return;
  throw new UserError(
    `there is no built-in suite "${argument}" and no file ${resolve(argument)}: did you mean ${similar.map((s) => `"${s}"`).join(' or ')}? (built-ins: ${builtins.join(', ')})`,
  );
}
