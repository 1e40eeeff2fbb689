import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { SuiteSource } from '../contract.js';
import { UserError, describeJsonSyntaxError } from '../errors.js';
import { tooLargeSuite } from './suite-limits.js';
import { suiteSpec, type SuiteSpec } from './suite-schema.js';
import { DEFAULT_SUITE, builtinSuiteNames, builtinSuitesDir, suiteSourceFromArgument } from './builtin-suites.js';

export interface LoadedSuite {
  spec: SuiteSpec;
  /** Folder that relative paths in the spec resolve against. */
  baseDir: string;
  /** Where the spec came from, for messages: a file path or "built-in suite NAME". */
  origin: string;
}

export { DEFAULT_SUITE, builtinSuiteNames, builtinSuitesDir, suiteSourceFromArgument };

export function loadSuite(source: SuiteSource): LoadedSuite {
  switch (source.kind) {
    case 'builtin': {
      if (!builtinSuiteNames().includes(source.name)) {
        throw new UserError(
          `there is no built-in suite "${source.name}" (built-ins: ${builtinSuiteNames().join(', ')}); to run a file, give its path`,
        );
      }
      const path = join(builtinSuitesDir(), `${source.name}.json`);
      return parseSuite(readFileSync(path, 'utf8'), `built-in suite ${source.name}`, dirname(path));
    }
    case 'file': {
      const path = resolve(source.path);
      return parseSuite(readSuiteFile(path), `suite file ${path}`, dirname(path));
    }
    case 'text':
      return parseSuite(source.text, source.origin, process.cwd());
  }
}

/** The text of a suite file; a missing, unreadable or wrong kind of file is a UserError naming it. */
function readSuiteFile(path: string): string {
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new UserError(`suite file ${path} is a folder: give the path of a suite JSON file`);
    if (!stats.isFile()) throw new UserError(`suite file ${path} is not a regular file`);
    const tooLarge = tooLargeSuite(`suite file ${path}`, stats.size);
    if (tooLarge) throw new UserError(tooLarge);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`suite file ${path} does not exist`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new UserError(`suite file ${path} cannot be read: permission denied`);
    throw new UserError(`suite file ${path} cannot be read (${code ?? (error as Error).message})`);
  }
}

/** Never quotes the text in an error: the file may not be a suite at all, and errors can travel to a browser. */
export function parseSuite(text: string, origin: string, baseDir: string): LoadedSuite {
  const tooLarge = tooLargeSuite(origin, Buffer.byteLength(text));
  if (tooLarge) throw new UserError(tooLarge);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${origin} is not valid JSON: ${describeJsonSyntaxError(error, text)}`);
  }
  const result = suiteSpec.safeParse(json);
  if (!result.success) throw new UserError(`${origin} is not a valid suite: ${describeIssues(result.error)}`);
  return { spec: result.data, baseDir, origin };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
      return `field "${field}": ${issue.message}`;
    })
    .join('; ');
}
