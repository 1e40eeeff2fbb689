/**
 * The folders a server reachable from other machines may read suite files and data from (`serve --data-root`).
 * Used for every path that arrives over the network: a suite file to start, a data folder or CSV file chosen in the
 * browser. Symbolic links are followed before the check, so a link inside a root cannot lead outside it.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { SuiteSource } from '../contract.js';
import { UserError } from '../errors.js';
import { OUTSIDE_ROOTS, isInside, linkProblem, readingUnder } from '../read-roots.js';
import { loadSuite, type LoadedSuite } from '../spec/load-suite.js';
import { suiteDataPaths } from '../spec/suite-data-paths.js';

/** The error for a path outside the roots: each caller says what the roots are and how to widen them. */
export type OutsideRoots = (path: string, roots: readonly string[]) => UserError;

function outside(path: string, roots: readonly string[]): UserError {
  return new UserError(
    roots.length === 0
      ? `${path} cannot be read: this server reads files only under the folders given with --data-root, and none was given; restart \`transfer-bench serve\` with --data-root <folder>`
      : `${path} is outside the data folders this server reads (${roots.join(', ')}); put the file under one of them, or restart \`transfer-bench serve\` with another --data-root <folder>`,
  );
}

/** The real path of each root (symbolic links resolved), so that paths under them compare by what they are. */
function realRoot(root: string): string | null {
  try {
    return realpathSync(root);
  } catch {
    return null;
  }
}

/**
 * Runs `work` (a request's handling) with every folder listing and model load it makes confined to `roots`: a
 * symbolic link met at any depth that leads outside them is skipped and named, never followed (read-roots.ts).
 */
export function underRoots<T>(roots: readonly string[], work: () => T): T {
  return readingUnder(
    roots.map(realRoot).filter((root): root is string => root !== null),
    work,
  );
}

/**
 * The real path of `path` when it is (after following symbolic links) inside one of `roots`; otherwise a UserError
 * that says which folders are allowed. `path` must be absolute; it must exist. An empty `roots` allows nothing.
 * A path outside every root is refused before the file system is asked anything about it, so the error never tells
 * whether a file outside the roots exists.
 */
export function resolveUnderRoots(path: string, roots: readonly string[], refuse: OutsideRoots = outside): string {
  if (!isAbsolute(path)) {
    throw new UserError(`${path} is a relative path: give the absolute path of a file under ${roots.join(', ')}`);
  }
  const lexical = resolve(path);
  const reals = roots.map(realRoot).filter((root): root is string => root !== null);
  if (!roots.some((root) => isInside(lexical, resolve(root))) && !reals.some((root) => isInside(lexical, root))) {
    throw refuse(path, roots);
  }
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' || code === 'ENOTDIR' ? `${path} not found` : `${path} cannot be read (${code ?? 'error'})`,
    );
  }
  if (!reals.some((root) => isInside(real, root))) throw refuse(path, roots);
  return real;
}

/**
 * The roots given on the command line, checked once at start-up: each must be an existing folder. Returns their
 * absolute paths (as given, resolved against the working directory).
 */
export function checkDataRoots(roots: readonly string[]): string[] {
  return roots.map((root) => {
    const absolute = resolve(root);
    let isDir: boolean;
    try {
      isDir = statSync(absolute).isDirectory();
    } catch {
      throw new UserError(`--data-root ${root}: no such folder`);
    }
    if (!isDir) throw new UserError(`--data-root ${root} is a file: give a folder`);
    return absolute;
  });
}

/**
 * Loads a suite that came over the network, reading only under `roots`: the suite file itself, and every dataset file
 * and model the suite names (checked before anything runs). Built-in suites are the package's own and read only their
 * own data, so they are not restricted.
 */
export function loadSuiteUnderRoots(
  source: SuiteSource,
  roots: readonly string[],
  refuse: OutsideRoots = outside,
): LoadedSuite {
  if (source.kind === 'builtin') return loadSuite(source);
  const suite =
    source.kind === 'file'
      ? loadSuite({ kind: 'file', path: resolveUnderRoots(source.path, roots, refuse) })
      : loadSuite(source);
  for (const path of suiteDataPaths(suite)) {
    checkTreeUnderRoots(resolveUnderRoots(path, roots, refuse), roots, 2, refuse);
  }
  return suite;
}

/**
 * A data folder (an image folder's class subfolders and their files, an IDX folder) may hold symbolic links: each
 * must lead inside the roots too. Entries that are not links are inside already. Looks `depth` levels down.
 */
function checkTreeUnderRoots(realPath: string, roots: readonly string[], depth: number, refuse: OutsideRoots): void {
  if (depth === 0 || !statSync(realPath).isDirectory()) return;
  for (const entry of readdirSync(realPath, { withFileTypes: true })) {
    const path = join(realPath, entry.name);
    if (entry.isSymbolicLink()) {
      // A loop or a dangling link is skipped by the folder's reader (image-folder.ts), never followed; a link out
      // of the roots is refused here, as the run's workers read the folder without them.
      const problem = linkProblem(path);
      if (problem !== null && problem !== OUTSIDE_ROOTS) continue;
      checkTreeUnderRoots(resolveUnderRoots(path, roots, refuse), roots, depth - 1, refuse);
    } else if (entry.isDirectory()) checkTreeUnderRoots(path, roots, depth - 1, refuse);
  }
}
