/**
 * The built-in suites by name, and what a CLI argument names: read from the suites folder without the schema (zod),
 * so the CLI can list them in `--help` cheaply. load-suite.ts loads and checks them.
 */
import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { SuiteSource } from '../contract.js';
import { packageRoot } from '../paths.js';

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
