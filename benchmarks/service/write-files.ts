import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TextFile } from '../domain.js';
import { UserError, errorMessage } from '../errors.js';

/** How an error tells the user to pick another place: the CLI names its --out option, the app its folder dialog. */
export interface WriteHints {
  /** Another place, e.g. "give another --out". */
  another: string;
  /** Another place when this one is read-only. */
  readOnly: string;
  /** A shorter path. */
  shorter: string;
}

export const CLI_WRITE_HINTS: WriteHints = {
  another: 'give another --out',
  readOnly: 'choose another folder with --out',
  shorter: 'choose a shorter --out',
};

export const FOLDER_WRITE_HINTS: WriteHints = {
  another: 'choose another folder',
  readOnly: 'choose another folder',
  shorter: 'choose a folder with a shorter path',
};

/** What went wrong writing `path`, and what to do, as one line. */
function writeProblem(path: string, error: unknown, hints: WriteHints): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EEXIST: `a file is in the way of the folder: ${hints.another}`,
    ENOTDIR: `a file is in the way of the folder: ${hints.another}`,
    EISDIR: `a folder has that name: remove it or ${hints.another}`,
    EACCES: 'permission denied: choose a folder you can write to',
    EPERM: 'permission denied: choose a folder you can write to',
    EROFS: `the file system is read-only: ${hints.readOnly}`,
    ENOSPC: 'the disk is full: free space or choose another folder',
    EDQUOT: 'the disk quota is exhausted: free space or choose another folder',
    ENAMETOOLONG: `the name is too long: ${hints.shorter}`,
  };
  const reason = (code && reasons[code]) ?? `${errorMessage(error)}: ${hints.another}`;
  return new UserError(`cannot write ${path}: ${reason}${code ? ` (${code})` : ''}`);
}

/** A recursive mkdir reports ENOENT for a parent it could not create: ask the nearest existing folder why. */
function causeOfMkdir(dir: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  let ancestor = dirname(dir);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    accessSync(ancestor, constants.W_OK);
  } catch (cause) {
    return cause;
  }
  return error;
}

/**
 * Writes files into `dir` (created if needed), each through a temporary name renamed into place, so no half-written
 * file is left; the temporary file is removed whatever happens. A failure is one UserError naming the path. The CLI's
 * export and report and the app's export all write through here.
 */
export function writeFiles(dir: string, files: TextFile[], hints: WriteHints = CLI_WRITE_HINTS): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw writeProblem(dir, causeOfMkdir(dir, error), hints);
  }
  return files.map((file) => {
    const path = join(dir, file.name);
    const temporary = join(dir, `.${file.name}.${process.pid}.tmp`);
    try {
      writeFileSync(temporary, file.content);
      renameSync(temporary, path);
      return path;
    } catch (error) {
      throw writeProblem(path, error, hints);
    } finally {
      rmSync(temporary, { force: true });
    }
  });
}
