import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { THROUGHPUT_CACHE_ENV } from '../../benchmarks/builder/throughput-cache.js';
import { loadSuite } from '../../benchmarks/spec/load-suite.js';
import { scaled } from '../support/machine-load.js';
import { SHARED_MEASUREMENTS } from '../support/shared-measurements.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'transfer-bench.js');
export const TINY_SUITE = join(ROOT, 'test', 'fixtures', 'tiny-suite.json');

export interface Sandbox {
  dir: string;
  db: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A temp folder with its own database and model cache, so tests never touch the user's. The machine measurements of
 * the estimates (training speed, a worker's start) are shared by the CLI processes of the whole `vitest run`
 * (test/support/shared-measurements.ts), unless `freshMeasurements`: for the tests whose subject is the measurement or
 * the estimate, whose CLI processes measure in their own model cache as on a new machine.
 */
export function sandbox(cacheDir?: string, options: { freshMeasurements?: boolean } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'tb-cli-'));
  const db = join(dir, 'results.db');
  // As from a shell: the tests may run under npx, whose variables make the CLI print `npx transfer-bench` hints.
  const {
    npm_lifecycle_event: _event,
    npm_command: _command,
    [THROUGHPUT_CACHE_ENV]: _measurements,
    ...env
  } = process.env;
  const shared = options.freshMeasurements ? undefined : inject(SHARED_MEASUREMENTS);
  return {
    dir,
    db,
    env: {
      ...env,
      TRANSFER_BENCH_DB: db,
      TRANSFER_BENCH_CACHE: cacheDir ?? join(dir, 'cache'),
      ...(shared ? { [THROUGHPUT_CACHE_ENV]: shared } : {}),
    },
  };
}

export function cli(box: Sandbox, args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(join(ROOT, 'dist', 'benchmarks', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: box.env,
    encoding: 'utf8',
    timeout: scaled(300_000),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function cliAsync(box: Sandbox, args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every row of every table, for checking that a failed command left the database as it was. */
export function dumpDb(path: string): string {
  if (!existsSync(path)) return 'no database';
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
    }[];
    return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]));
  } finally {
    db.close();
  }
}

export function query<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/**
 * `quick` reduced to one seed, two sizes and one epoch of pretraining (8 trials, every approach with its three learning
 * rates, a pretrained source), written into the sandbox: what the distributed tests need to show a kill, a hand-over
 * and accuracies equal to a local run's, at a third of quick's 24 trials and a third of its pretraining. `full` (set
 * from an environment variable by a caller) gives `quick` itself.
 */
export function reducedQuick(box: Sandbox, full = false): string {
  if (full) return 'quick';
  const { spec } = loadSuite({ kind: 'builtin', name: 'quick' });
  const path = join(box.dir, 'quick-reduced.json');
  const pretrain = spec.pretrain && { ...spec.pretrain, epochs: 1 };
  writeFileSync(path, JSON.stringify({ ...spec, name: 'quick-reduced', sizes: [20, 100], seeds: [0], pretrain }));
  return path;
}
