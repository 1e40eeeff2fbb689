/**
 * `--help` and a mistyped option read no more than the CLI's options: the commands import TensorFlow.js, sharp, the
 * database drivers, the queue and the suite schema when they run (benchmarks/cli/main.ts). A module loader hook in
 * the CLI's process records every module it resolves (ES modules) and, at exit, every CommonJS module in its cache.
 * The commands that only read stored results (`list`, `export`, `report`, `compare`) load the SQLite driver and what
 * they read with, not the engine that trains (engine-service.ts loads the runner, the drafts and the queue on demand).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, sandbox } from './cli-helpers.js';

/** Packages a command loads when it runs, never to show its options. */
const HEAVY = [
  '@tensorflow/',
  'sharp',
  '@img/',
  'better-sqlite3',
  'pg',
  'pg-boss',
  'zod',
  'echarts',
  'h5wasm',
  'cli-progress',
  '@stdlib/',
  '(vendor/stdlib.cjs)',
];

const RESOLVE_HOOK = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.LOADED_MODULES_OUT, 'esm ' + resolved.url + '\\n');
  return resolved;
}
`;

const RECORDER = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register('./resolve-hook.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('exit', () => {
  appendFileSync(process.env.LOADED_MODULES_OUT, Object.keys(require.cache).map((p) => p + '\\n').join(''));
});
`;

/**
 * The packages under node_modules that `args` made the CLI load (`esm`: those of them it loaded with an ES import),
 * and whether it loaded its own entry module.
 */
function loadedBy(args: string[]): { packages: Set<string>; esm: Set<string>; status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-imports-'));
  writeFileSync(join(dir, 'resolve-hook.mjs'), RESOLVE_HOOK);
  writeFileSync(join(dir, 'recorder.mjs'), RECORDER);
  const out = join(dir, 'loaded.txt');
  writeFileSync(out, '');
  const box = sandbox();
  const result = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(join(dir, 'recorder.mjs')).href, BIN, ...args],
    {
      cwd: ROOT,
      env: { ...box.env, LOADED_MODULES_OUT: out },
      encoding: 'utf8',
    },
  );
  const packages = new Set<string>();
  const esm = new Set<string>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(line);
    if (match) packages.add(match[1]!.replace('\\', '/'));
    if (match && line.startsWith('esm ')) esm.add(match[1]!.replace('\\', '/'));
    if (line.endsWith('/cli/main.js')) packages.add('(cli/main.js)');
    if (line.endsWith('/dist/vendor/stdlib.cjs')) packages.add('(vendor/stdlib.cjs)');
  }
  return { packages, esm, status: result.status, stdout: result.stdout };
}

function heavyIn(packages: Set<string>): string[] {
  return [...packages].filter((name) =>
    HEAVY.some((heavy) => (heavy.endsWith('/') ? name.startsWith(heavy) : name === heavy)),
  );
}

describe("the CLI loads a command's modules only when the command runs", () => {
  it('--help loads commander and the CLI, and none of the heavy packages', () => {
    const { packages, status, stdout } = loadedBy(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('Usage: transfer-bench');
    // the recorder saw the CLI load: an empty record would pass the check below for nothing
    expect(packages).toContain('commander');
    expect(packages).toContain('(cli/main.js)');
    expect(heavyIn(packages)).toEqual([]);
  });

  it("a command's --help and a mistyped option load none of them either", () => {
    for (const args of [
      ['run', '--help'],
      ['init', '--help'],
      ['export', '1', '--no-such-option'],
    ]) {
      const { packages } = loadedBy(args);
      expect(packages, args.join(' ')).toContain('commander');
      expect(heavyIn(packages), args.join(' ')).toEqual([]);
    }
  });

  it('list, export, report and compare on SQLite load neither TensorFlow.js, sharp, nor the PostgreSQL drivers', () => {
    const TRAINING = ['@tensorflow/', 'sharp', '@img/', 'pg', 'pg-boss', 'h5wasm'];
    const box = sandbox();
    const db = join(box.dir, 'results.db');
    expect(loadedBy(['migrate', '--db', db]).status).toBe(0); // an empty database of this schema
    let bundled = 0;
    for (const args of [
      ['list', '--db', db],
      ['export', '1', '--db', db, '--out', join(box.dir, 'out')],
      ['report', '1', '--db', db, '--out', join(box.dir, 'report.md')],
      ['compare', '1', '2', '--db', db],
    ]) {
      const { packages, status } = loadedBy(args);
      // the command ran: it opened the database (which has no suite 1, so export, report and compare fail on that)
      expect(packages, args.join(' ')).toContain('better-sqlite3');
      expect(status, args.join(' ')).toBe(args[0] === 'list' ? 0 : 1);
      // stdlib's distributions from the one file the build made of them (scripts/bundle-stdlib.js)
      expect(
        [...packages].filter((name) => name.startsWith('@stdlib/')),
        args.join(' '),
      ).toEqual([]);
      if (packages.has('(vendor/stdlib.cjs)')) bundled++;
      expect(
        [...packages].filter((name) => TRAINING.some((t) => (t.endsWith('/') ? name.startsWith(t) : name === t))),
        args.join(' '),
      ).toEqual([]);
    }
    // the record sees the bundle: the checks above are not passed by commands that never needed stdlib
    expect(bundled).toBeGreaterThan(0);
  });

  it('a command that trains loads TensorFlow.js when it runs (the record sees the heavy packages)', () => {
    // `vectors` on a suite file that does not exist: the command runs, imports its module, then fails on the file
    const { packages, esm, status } = loadedBy(['vectors', join(tmpdir(), 'no-such-suite.json'), 'words.vec']);
    expect(status).toBe(1);
    expect(heavyIn(packages)).toContain('@tensorflow/tfjs-core');
    // with require(), not an ES import, which would scan each of its bundles' whole source first
    // (scripts/require-tfjs.js); the record does see ES imports of packages
    expect([...esm].filter((name) => name.startsWith('@tensorflow/'))).toEqual([]);
    expect(esm).toContain('commander');
  });
});
