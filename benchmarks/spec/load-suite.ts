import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { SuiteSource } from '../contract.js';
import { UserError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { suiteSpec, type SuiteSpec } from './suite-schema.js';

export interface LoadedSuite {
  spec: SuiteSpec;
  /** Folder that relative paths in the spec resolve against. */
  baseDir: string;
  /** Where the spec came from, for messages: a file path or "built-in suite NAME". */
  origin: string;
}

export const DEFAULT_SUITE = 'mnist-split';

export function builtinSuitesDir(): string {
  return join(packageRoot(), 'benchmarks', 'suites');
}

export function builtinSuiteNames(): string[] {
  return readdirSync(builtinSuitesDir())
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

/** A CLI argument is a built-in suite name if one exists by that name, otherwise a path to a suite file. */
export function suiteSourceFromArgument(argument: string | undefined): SuiteSource {
  const name = argument ?? DEFAULT_SUITE;
  if (builtinSuiteNames().includes(name)) return { kind: 'builtin', name };
  return { kind: 'file', path: resolve(name) };
}

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
      if (!existsSync(path)) throw new UserError(`suite file ${path} does not exist`);
      return parseSuite(readFileSync(path, 'utf8'), `suite file ${path}`, dirname(path));
    }
    case 'text':
      return parseSuite(source.text, source.origin, process.cwd());
  }
}

export function parseSuite(text: string, origin: string, baseDir: string): LoadedSuite {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${origin} is not valid JSON: ${(error as Error).message}`);
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
