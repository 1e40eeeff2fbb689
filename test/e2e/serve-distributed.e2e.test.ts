/**
 * `transfer-bench serve --db postgres://…` in Chromium follows a distributed run live: a real PostgreSQL, one
 * `transfer-bench worker` and one `run --distributed` of the tiny fixture suite, started while the page is open. The
 * page hears no events from those processes: it must show the suite appear, its trials finish one by one while the
 * run is in flight, then the suite done.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scaled } from '../support/machine-load.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { requireSystem } from '../support/system.js';
import { useAppPage } from './support/app-page.js';
import { REPO_ROOT, screenshotPath } from './support/paths.js';

const TINY = join(REPO_ROOT, 'test', 'fixtures', 'tiny-suite.json');

describe.skipIf(!requireSystem('chromium', 'postgresql'))(
  '`transfer-bench serve --db postgres://…` shows a distributed run live',
  () => {
    let postgres: PostgresServer;
    let url: string;
    let dataDir: string;
    const children: { child: ChildProcess; output: string }[] = [];
    afterAll(async () => {
      for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await postgres?.stop();
    });

    /** The real CLI, each process with its own cache folder: nothing is shared but the database. */
    const cli = (name: string, args: string[]) => {
      const cache = join(dataDir, name);
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'transfer-bench.js'), ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, TRANSFER_BENCH_CACHE: join(cache, 'model-cache') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const entry = { child, output: '' };
      child.stdout?.on('data', (d: Buffer) => (entry.output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (entry.output += d.toString()));
      children.push(entry);
      return entry;
    };

    const app = useAppPage({
      name: 'tb-e2e-dist-',
      async prepare(dir) {
        postgres = await startPostgres();
        url = await postgres.createDatabase('serve_distributed');
        dataDir = dir;
        return { dbPath: url, env: { TRANSFER_BENCH_CACHE: join(dir, 'serve', 'model-cache') } };
      },
    });

    it('shows the suite appear, its trials finish while the run is in flight, then done', async () => {
      const started = Date.now();
      await app.page.goto(app.server.url);
      await app.page.getByTestId('suites-view').waitFor();

      // The coordinator creates the suite and enqueues its trials; with no worker yet, nothing runs.
      // tiny with trials long enough to be seen training: a worker keeps the data and source model of a suite loaded,
      // so tiny's 20-step trials end within a few milliseconds, between two samples of the page; 300 steps take
      // several samples of the page (200 ms apart) each, which is all the test needs to see a trial in training
      const tiny = JSON.parse(readFileSync(TINY, 'utf8')) as { approaches: Record<string, { minSteps: number }> };
      for (const approach of Object.values(tiny.approaches)) approach.minSteps = 300;
      const suitePath = join(dataDir, 'tiny-visible.json');
      writeFileSync(suitePath, JSON.stringify(tiny));
      const run = cli('coordinator', ['run', suitePath, '--db', url, '--distributed', '--backend', 'wasm']);
      const row = app.page.locator('[data-testid="suite-row"][data-suite-id="1"]');
      await row.waitFor({ timeout: scaled(60_000) });
      await expect.poll(() => row.getAttribute('data-status'), { timeout: scaled(30_000) }).toBe('running');
      await row.getByTestId('open-suite').click();
      const bar = app.page.getByTestId('progress-bar');
      await bar.waitFor();
      expect(await bar.getAttribute('aria-valuenow')).toBe('0');

      // Now a worker: what it does reaches the page only through the database.
      const worker = cli('worker', ['worker', '--db', url, '--backend', 'wasm', '--workers', '1']);
      const seen: { finished: number; status: string | null; rows: string[] }[] = [];
      const trials = app.page.getByTestId('trial-row');
      let sawTrainingLive = false;
      const runTimeout = scaled(240_000);
      const deadline = Date.now() + runTimeout;
      for (;;) {
        // one read of the bar and the rows together, so that a trial ending between two reads cannot split them
        const sample = await app.page.locator('body').evaluate((body) => {
          const progress = body.querySelector('[data-testid="progress-bar"]');
          return {
            finished: Number(progress?.getAttribute('aria-valuenow')),
            status: progress?.getAttribute('data-status') ?? null,
            rows: [...body.querySelectorAll('[data-testid="trial-row"]')].map(
              (r) => r.getAttribute('data-status') ?? '',
            ),
          };
        });
        // a trial in training, as the worker announced it (its row and the "in flight" list)
        if (sample.rows.includes('running') && (await app.page.getByTestId('trial-in-flight').count()) > 0)
          sawTrainingLive = true;
        const last = seen.at(-1);
        if (!last || last.finished !== sample.finished || last.status !== sample.status) seen.push(sample);
        if (sample.status !== 'running') break;
        if (Date.now() > deadline)
          throw new Error(`no end within ${Math.round(runTimeout / 1000)} s:\n${run.output}\n---\n${worker.output}`);
        await app.page.waitForTimeout(200);
      }
      const runExit = await new Promise<number | null>((resolve) =>
        run.child.exitCode !== null ? resolve(run.child.exitCode) : run.child.once('exit', resolve),
      );
      expect(runExit, run.output).toBe(0);

      // Live: the page showed trials finished while the run was still running, before it ended (on a fast machine all
      // six may finish between two samples: the page still shows them done before the suite's end arrives).
      const inFlight = seen.filter((s) => s.status === 'running' && s.finished > 0);
      expect(inFlight, JSON.stringify(seen)).not.toHaveLength(0);
      // the rows agree with the bar (the bar and a row are updated by separate events, so one sample may straddle them)
      expect(
        inFlight.some((s) => s.rows.filter((r) => r === 'done').length === s.finished),
        JSON.stringify(seen),
      ).toBe(true);
      expect(sawTrainingLive).toBe(true);
      expect(seen.at(-1)).toMatchObject({ status: 'done', finished: 6 });
      await expect
        .poll(() => trials.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))), {
          timeout: scaled(10_000),
        })
        .toEqual(Array(6).fill('done'));
      await expect.poll(() => app.page.getByTestId('pretrain-progress').count(), { timeout: scaled(10_000) }).toBe(0);
      // each trial names the worker that ran it
      const workers = await app.page.getByTestId('trial-worker').allInnerTexts();
      expect(workers).toHaveLength(6);
      for (const name of workers)
        expect(name.startsWith(`${hostname()} · pid ${worker.child.pid} slot 1`), name).toBe(true);
      await app.page.screenshot({ path: screenshotPath('serve-distributed-done'), fullPage: true });
      expect(app.problems).toEqual([]);
      worker.child.kill('SIGTERM');
      console.log(
        `serve-distributed: ${((Date.now() - started) / 1000).toFixed(0)} s, progress seen: ${seen.map((s) => `${s.finished}/${s.status}`).join(' → ')}`,
      );
    });
  },
);
