import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Download } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TrialRecord, TrialResult } from '../../benchmarks/domain.js';
import { loadSuite } from '../../benchmarks/spec/load-suite.js';
import { openStore } from '../../benchmarks/store/open-store.js';
import type { Store } from '../../benchmarks/store/store.js';
import { useAppPage } from './support/app-page.js';
import { REPO_ROOT, screenshotPath } from './support/paths.js';
import { scaled } from '../support/machine-load.js';
import { requireSystem } from '../support/system.js';
import { storeSuite } from '../support/stored-suite.js';

/**
 * Comparing suites as a user does: two finished suites of one target in one database (the tiny test suite pretrained
 * on digits 0–4, seed 0; and on digits 0–2, seed 1), then in the app through `transfer-bench serve`: tick both,
 * Compare, read the overlaid chart and the answers, export the combined CSV. The two suites are written through the
 * store as a run writes them (every trial done), not trained: what is compared is the stored results, and training
 * them is what the CLI run tests cover.
 */

const TINY = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'tiny-suite.json'), 'utf8')) as {
  name: string;
  seeds: number[];
  sizes: number[];
  approaches: Record<string, unknown>;
  pretrain: { dataset: { kind: string; classes: number[] } };
};
const APPROACHES = Object.keys(TINY.approaches);

/** A finished trial as a run stores it: transfer ahead of scratch at the small size, level at the large one. */
function resultFor(trial: TrialRecord, suiteIndex: number): TrialResult {
  const small = trial.trainSize === TINY.sizes[0];
  const transfer = trial.approach !== 'scratch';
  const accuracy = (small ? (transfer ? 0.7 : 0.5) : transfer ? 0.82 : 0.85) + suiteIndex / 100;
  return {
    status: 'done',
    testAccuracy: accuracy,
    testLoss: 1.5 - accuracy,
    epochs: 3,
    bestEpoch: 3,
    steps: 20,
    wallSeconds: 0.5,
    cpuSeconds: 0.6,
    trainableParams: trial.approach === 'linear-probe' ? 645 : 101_770,
    totalParams: 101_770,
    trainFlops: 3.1e9,
    peakBytes: 2 ** 24,
    backend: 'wasm',
    device: 'CPU',
    error: null,
    learningRate: 0.001,
    lrCandidates: [{ learningRate: 0.001, bestValLoss: 1.6 - accuracy, steps: 20, pruned: false, diverged: false }],
    protocol: null,
    epochRecords: [1, 2, 3].map((epoch) => ({
      epoch,
      step: epoch * 7,
      trainLoss: 2 / (epoch + 1),
      trainAccuracy: (accuracy * epoch) / 3,
      valLoss: 1.6 - (accuracy * epoch) / 3,
      valAccuracy: (accuracy * epoch) / 3,
      elapsedSeconds: epoch * 0.17,
    })),
  };
}

/** Writes the suite at `path` into the store, finished, as a run of it would; returns its id. */
function storeFinished(store: Store, path: string, suiteIndex: number): Promise<number> {
  return storeSuite(
    store,
    loadSuite({ kind: 'file', path }),
    (trial) => resultFor(trial, suiteIndex),
    `writer-${suiteIndex}`,
  );
}

interface DrawnSeries {
  name: string;
  points: number;
}

describe.skipIf(!requireSystem('chromium'))('comparing suites in Chromium against `transfer-bench serve`', () => {
  let dbPath: string;
  let modelCache: string;

  function runCli(args: string[]): string {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'transfer-bench.js'), ...args, '--db', dbPath], {
      env: { ...process.env, TRANSFER_BENCH_CACHE: modelCache },
      encoding: 'utf8',
      timeout: scaled(240_000),
    });
    if (result.status !== 0) throw new Error(`transfer-bench ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }

  const app = useAppPage({
    name: 'tb-e2e-compare-',
    prepare: async (dir) => {
      dbPath = join(dir, 'compare.db');
      modelCache = join(dir, 'model-cache');
      const other = join(dir, 'tiny-other-source.json');
      writeFileSync(
        other,
        JSON.stringify({
          ...TINY,
          name: 'tiny-digits-0-2',
          seeds: [1],
          pretrain: { ...TINY.pretrain, dataset: { kind: 'mnist', classes: [0, 1, 2] } },
        }),
      );
      const store = await openStore(dbPath);
      try {
        expect(await storeFinished(store, join(REPO_ROOT, 'test', 'fixtures', 'tiny-suite.json'), 1)).toBe(1);
        expect(await storeFinished(store, other, 2)).toBe(2);
      } finally {
        await store.close();
      }
      return { dbPath };
    },
  });

  it('compares the two runs: a series per suite and approach, the answers side by side, the combined CSV', async () => {
    await app.page.goto(app.server.url);
    await app.page.getByTestId('suite-row').nth(1).waitFor();
    const compare = app.page.getByTestId('compare-suites');
    expect(await compare.isDisabled()).toBe(true);
    // Ticked in this order: suite 1, then suite 2.
    await app.page.locator('[data-testid="suite-row"][data-suite-id="1"] [data-testid="compare-select"]').check();
    await app.page.locator('[data-testid="suite-row"][data-suite-id="2"] [data-testid="compare-select"]').check();
    await compare.click();
    await app.page.getByTestId('compare-view').waitFor();
    expect(app.page.url()).toMatch(/#\/compare\/1,2$/);

    const chart = app.page.getByTestId('compare-efficiency-chart');
    const expected = ['tiny #1', 'tiny-digits-0-2 #2'].flatMap((suite) => APPROACHES.map((a) => `${suite} · ${a}`));
    await expect
      .poll(
        async () => (JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[]).map((s) => s.name),
        {
          timeout: scaled(30_000),
        },
      )
      .toEqual(expected);
    const drawn = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
    for (const series of drawn) expect(series.points, series.name).toBe(TINY.sizes.length);
    await expect.poll(() => app.page.getByTestId('compare-differences').textContent()).toContain('source');
    expect(await app.page.getByTestId('compare-answer').count()).toBe(2);
    // Each suite's transfer approaches against its own scratch, each with its crossover.
    expect(await app.page.getByTestId('compare-answer').getByTestId('answer-row').count()).toBe(
      2 * (APPROACHES.length - 1),
    );
    await app.page.screenshot({ path: screenshotPath('compare'), fullPage: true });

    const downloads: Download[] = [];
    app.page.on('download', (download) => downloads.push(download));
    await app.page.getByTestId('export-compare-csv').click();
    await expect.poll(() => downloads.length, { timeout: scaled(15_000) }).toBe(3);
    const files = new Map<string, string>();
    for (const download of downloads) {
      const path = join(app.dir, download.suggestedFilename());
      await download.saveAs(path);
      files.set(download.suggestedFilename(), readFileSync(path, 'utf8'));
    }
    expect([...files.keys()].sort()).toEqual([
      'compare-1-2-columns.md',
      'compare-1-2-comparison.csv',
      'compare-1-2-summary.csv',
    ]);
    const summary = parse(files.get('compare-1-2-summary.csv')!, { columns: true }) as Record<string, string>[];
    // One row per suite, approach and size (one seed each here), every approach trained at every size.
    expect(summary.map((r) => `${r.suite_id} ${r.approach} ${r.train_size} n=${r.n}`)).toEqual(
      [1, 2].flatMap((id) => APPROACHES.flatMap((a) => TINY.sizes.map((size) => `${id} ${a} ${size} n=1`))),
    );
    expect(summary.every((r) => Number(r.test_accuracy_mean_pct) > 0 && Number(r.test_accuracy_mean_pct) <= 100)).toBe(
      true,
    );
    // The same numbers as the suite's own CSV export from the command line.
    const own = join(app.dir, 'own-2');
    runCli(['export', '2', '--out', own]);
    const ownSummary = parse(readFileSync(join(own, 'summary.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(
      summary
        .filter((r) => r.suite_id === '2')
        .map(({ suite_id: _i, suite_name: _n, suite_sources: _s, backend: _b, device: _d, ...rest }) => rest),
    ).toEqual(ownSummary);

    await app.page.getByTestId('compare-report-html').click();
    await expect.poll(() => downloads.length, { timeout: scaled(30_000) }).toBe(4);
    expect(downloads[3]!.suggestedFilename()).toBe('transfer-bench-compare-1-2.html');
    const reportPath = join(app.dir, 'compare.html');
    await downloads[3]!.saveAs(reportPath);
    expect(readFileSync(reportPath, 'utf8')).toMatch(/<svg[\s\S]*tiny-digits-0-2 #2 · finetune[\s\S]*<\/svg>/);
  });

  it('caused no console errors while comparing', () => {
    expect(app.problems).toEqual([]);
  });

  it('shows why a comparison is refused: here a suite that is not in the database', async () => {
    // The engine's refusal is an HTTP 400, which Chromium logs as a failed resource: expected here, hence after the check.
    await app.page.goto(`${app.server.url}#/compare/1,3`);
    await expect
      .poll(() => app.page.getByRole('alert').textContent(), { timeout: scaled(15_000) })
      .toContain('no suite with id 3 in this database');
  });
});
