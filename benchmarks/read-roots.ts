/**
 * The folders a request may read from (`serve --data-root`), for the whole of the work it causes: every folder
 * listing and model load made while `readingUnder(roots, …)` runs (however deep in the call chain, and across its
 * awaits) checks each symbolic link it meets, at every depth, against the roots. A link that leads outside them is
 * skipped and named, never followed. Outside such a call (the CLI, the app) links are followed wherever they lead.
 * A link that cannot be followed (a loop, a dangling link) is skipped and named everywhere.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/** Whether `path` is `root` or lies under it (both absolute, compared as written). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

const scope = new AsyncLocalStorage<readonly string[]>();

/** Runs `work` with every read it makes confined to `realRoots` (real paths: symbolic links resolved). */
export function readingUnder<T>(realRoots: readonly string[], work: () => T): T {
  return scope.run(realRoots, work);
}

export const OUTSIDE_ROOTS = 'a symbolic link that leads outside the data folders this server reads: not followed';

/**
 * Why the symbolic link at `path` is not read, or null when it may be: it loops, leads nowhere, or (inside
 * `readingUnder`) leads outside the roots. The reason never says where an outside link leads.
 */
export function linkProblem(path: string): string | null {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'a symbolic link loop: not followed';
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'a symbolic link to nothing (its target is missing)';
    return `a symbolic link that cannot be followed (${code ?? 'error'})`;
  }
  const roots = scope.getStore();
  if (roots && !roots.some((root) => isInside(real, root))) return OUTSIDE_ROOTS;
  return null;
}
