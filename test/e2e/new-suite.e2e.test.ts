import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Download } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { writeDigitFolder } from '../unit/datasets/image-folder-fixtures.js';
import { scaled } from '../support/machine-load.js';
import { requireSystem } from '../support/system.js';
import { expectAnswerAsInReport } from './support/answer-checks.js';
import { useAppPage } from './support/app-page.js';
import { screenshotPath } from './support/paths.js';

/**
 * The suite builder ("New suite") end to end, as a user of `transfer-bench serve` meets it: real MNIST digits written
 * as PNG and JPEG files to a folder, the real engine (draftSuite decodes them and measures this machine), a real SQLite
 * file, Debian's Chromium. The user types the folder's path, sees its classes, counts and thumbnails, changes the
 * suite, sees the estimate follow, saves the file and runs it with tiny budgets to the end. The server reads only
 * under its --data-root, so a path outside it is refused next to the field.
 */

const PER_CLASS = 15;

describe.skipIf(!requireSystem('chromium'))('New suite in Chromium against `transfer-bench serve`', () => {
  let digits: string;
  let otherDigits: string;
  let oneClass: string;
  let iris: string;
  let badIris: string;

  const app = useAppPage({
    name: 'tb-e2e-builder-',
    async prepare(dir) {
      digits = join(dir, 'data', 'digits');
      otherDigits = join(dir, 'data', 'other-digits');
      oneClass = join(dir, 'data', 'only-fives');
      await writeDigitFolder(digits, [3, 8], PER_CLASS, ['png', 'jpg']);
      // A file that is not the image its name says: skipped and named, the rest of the folder used.
      writeFileSync(join(digits, 'digit-3', 'broken.png'), 'not a PNG');
      await writeDigitFolder(otherDigits, [1, 7], 10, ['png']);
      await writeDigitFolder(oneClass, [5], 6, ['png']);
      // A real table of measurements (Fisher's iris), and the same with one cell that is not a number.
      iris = join(dir, 'data', 'iris.csv');
      badIris = join(dir, 'data', 'bad-iris.csv');
      copyFileSync(new URL('../fixtures/iris.csv', import.meta.url), iris);
      const lines = readFileSync(iris, 'utf8').split('\n');
      lines[3] = lines[3]!.replace(/^[^,]+/, 'tall');
      writeFileSync(badIris, lines.join('\n'));
      return {
        dbPath: join(dir, 'e2e.db'),
        args: ['--data-root', join(dir, 'data')],
        env: { TRANSFER_BENCH_CACHE: join(dir, 'model-cache'), TRANSFER_BENCH_DATA_CACHE: join(dir, 'data-cache') },
        // the draft's estimate is one of its subjects: measured here, as on a new machine
        freshMeasurements: true,
      };
    },
  });

  const fieldError = (field: string) => app.page.locator(`[data-testid="field-error"][data-field="${field}"]`);

  async function look(target: string, source = ''): Promise<void> {
    await app.page.getByTestId('target-path').fill(target);
    await app.page.getByTestId('source-path').fill(source);
    await app.page.getByTestId('look-at-data').click();
    await expect.poll(() => app.page.getByTestId('look-at-data').isEnabled(), { timeout: scaled(60_000) }).toBe(true);
  }

  it('refuses a folder with one class, and a folder outside --data-root, next to the path', async () => {
    await app.page.goto(app.server.url);
    await app.page.getByTestId('new-suite').click();
    await app.page.getByTestId('new-suite-view').waitFor();
    await look(oneClass);
    await expect(fieldError('target').textContent()).resolves.toBe(
      `image folder ${oneClass} has one class (digit-5): a classifier needs at least 2; add a subfolder of images for each other class`,
    );
    expect(await app.page.getByTestId('draft-findings').count()).toBe(0);

    await look(app.dir);
    await expect(fieldError('target').textContent()).resolves.toContain(
      `${app.dir} is outside the data folders this server reads (${join(app.dir, 'data')})`,
    );

    await look(digits, join(app.dir, 'data', 'nothing-here'));
    await expect(fieldError('source').textContent()).resolves.toBe(
      `${join(app.dir, 'data', 'nothing-here')} not found`,
    );
    expect(await fieldError('target').count()).toBe(0);
  });

  it('shows a table: its classes with their rows, its columns; a bad cell is refused next to the path', async () => {
    await look(badIris);
    await expect(fieldError('target').textContent()).resolves.toBe(
      `table ${badIris}, line 4, column "sepal_length": "tall" is not a number; features must be numeric (leave "sepal_length" out with "features", or encode it as numbers)`,
    );
    await look(iris);
    expect(await app.page.getByTestId('field-error').count()).toBe(0);
    const rows = app.page.getByTestId('draft-class');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.evaluateAll((rs) => rs.map((r) => [r.dataset.class, Number(r.dataset.count)]))).toEqual([
      ['setosa', 50],
      ['versicolor', 50],
      ['virginica', 50],
    ]);
    await expect(app.page.getByTestId('draft-features').textContent()).resolves.toMatch(
      /Feature columns: sepal_length, sepal_width, petal_length, petal_width; label column\s+species/,
    );
    expect(await app.page.getByTestId('thumbnail').count()).toBe(0);
  });

  it('shows the classes with their counts and thumbnails, the skipped file, and an estimate', async () => {
    await look(digits, otherDigits);
    expect(await app.page.getByTestId('field-error').count()).toBe(0);
    const rows = app.page.getByTestId('draft-class');
    await expect.poll(() => rows.count()).toBe(2);
    const classes = await rows.evaluateAll((rs) => rs.map((r) => [r.dataset.class, Number(r.dataset.count)]));
    expect(classes).toEqual([
      ['digit-3', PER_CLASS],
      ['digit-8', PER_CLASS],
    ]);
    for (const row of await rows.all()) {
      const thumbnails = row.getByTestId('thumbnail');
      expect(await thumbnails.count()).toBe(4);
      // Decoded, real pictures: the browser drew them at their size.
      const widths = await thumbnails.evaluateAll((imgs) =>
        imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
      );
      expect(widths.every((w) => w > 0)).toBe(true);
    }
    await expect(app.page.getByTestId('draft-shape').textContent()).resolves.toContain('28×28 grayscale');
    await expect(app.page.getByTestId('draft-skipped').textContent()).resolves.toContain(
      join(digits, 'digit-3', 'broken.png'),
    );
    // With a source, every approach is drafted, and pretraining on it.
    const enabled = await app.page
      .getByTestId('approach-enabled')
      .evaluateAll((boxes) => boxes.map((b) => (b as unknown as { checked: boolean }).checked));
    expect(enabled).toEqual([true, true, true, true]);
    await expect(app.page.getByTestId('suite-pretrain-epochs').inputValue()).resolves.toBe('5');
    await expect(app.page.getByTestId('estimate').textContent()).resolves.toContain(
      'from every trial stopping early at its first chance to every trial using its whole budget',
    );
    await expect(app.page.getByTestId('estimate').textContent()).resolves.toContain('pretraining');
    await app.page.screenshot({ path: screenshotPath('new-suite'), fullPage: true });
  });

  it('checks edits as they are typed and re-estimates the run time', async () => {
    const estimate = app.page.getByTestId('estimate-seconds');
    const before = Number(await estimate.getAttribute('data-seconds'));
    expect(before).toBeGreaterThan(0);

    // 3 of 15 per class are held out for testing: 24 examples are left for training.
    await app.page.getByTestId('suite-sizes').fill('10, 500');
    await expect(fieldError('sizes').textContent()).resolves.toBe(
      '500 is more than the 24 examples left for training after 3 per class are held out for testing: use sizes up to 24',
    );
    expect(await app.page.getByTestId('run-new-suite').isEnabled()).toBe(false);
    await app.page.getByTestId('suite-seeds').fill('0, 0');
    await expect(fieldError('seeds').textContent()).resolves.toBe('seeds must be unique');

    await app.page.getByTestId('suite-sizes').fill('10, 20');
    await app.page.getByTestId('suite-seeds').fill('0');
    await app.page.getByTestId('suite-cross-validate-below').fill('0');
    // Scratch only: nothing to pretrain for.
    for (const approach of ['finetune', 'linear-probe', 'partial']) {
      await app.page
        .locator(`[data-testid="approach-row"][data-approach="${approach}"]`)
        .getByTestId('approach-enabled')
        .uncheck();
    }
    expect(await app.page.getByTestId('suite-pretrain-epochs').isDisabled()).toBe(true);
    const scratch = app.page.locator('[data-testid="approach-row"][data-approach="scratch"]');
    await scratch.getByTestId('approach-epochs').fill('2');
    await scratch.getByTestId('approach-min-steps').fill('0');
    await scratch.getByTestId('approach-learning-rates').fill('0.003');
    expect(await app.page.getByTestId('field-error').count()).toBe(0);
    await expect
      .poll(() => app.page.getByTestId('estimate').getAttribute('data-stale'), { timeout: scaled(15_000) })
      .toBe('false');
    const after = Number(await estimate.getAttribute('data-seconds'));
    expect(after).toBeLessThan(before);
    await expect(app.page.getByTestId('estimate').textContent()).resolves.toContain('for 2 trials');
    await expect(app.page.getByTestId('estimate').textContent()).resolves.not.toContain('pretraining');
  });

  it('saves the suite file as a download', async () => {
    const [download]: [Download, void] = await Promise.all([
      app.page.waitForEvent('download'),
      app.page.getByTestId('save-suite').click(),
    ]);
    expect(download.suggestedFilename()).toBe('digits.json');
    const path = join(app.dir, 'saved.json');
    await download.saveAs(path);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({
      name: 'digits',
      sizes: [10, 20],
      seeds: [0],
      crossValidateBelow: 0,
      target: { dataset: { kind: 'folder', dir: digits, imageSize: [28, 28], channels: 1 } },
      approaches: { scratch: { epochs: 2, minSteps: 0, learningRate: 0.003 } },
    });
    expect(Object.keys(saved.approaches as object)).toEqual(['scratch']);
    expect(saved.pretrain).toBeUndefined();
  });

  it('runs the suite to the end and shows its trials in the run view', async () => {
    await app.page.getByTestId('run-new-suite').click();
    await app.page.getByTestId('run-view').waitFor();
    const bar = app.page.getByTestId('progress-bar');
    await expect
      .poll(async () => `${await bar.getAttribute('aria-valuenow')}/${await bar.getAttribute('data-status')}`, {
        timeout: scaled(90_000),
        interval: 500,
      })
      .toBe('2/done');
    const rows = app.page.getByTestId('trial-row');
    await expect.poll(() => rows.count()).toBe(2);
    const statuses = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-status')));
    expect(statuses).toEqual(['done', 'done']);
    await expect(app.page.locator('h1').first().textContent()).resolves.toContain('digits');
  });

  it("goes a new user's path: drafts a suite with a source, runs it within the estimate, reads the answer and the report", async () => {
    await app.page.goto(app.server.url);
    await app.page.getByTestId('new-suite').click();
    await app.page.getByTestId('new-suite-view').waitFor();
    await look(digits, otherDigits);
    expect(await app.page.getByTestId('field-error').count()).toBe(0);
    // small budgets, every approach, the default cross-validation at these tiny sizes (its folds are in the estimate)
    await app.page.getByTestId('suite-sizes').fill('10, 20');
    await app.page.getByTestId('suite-seeds').fill('0');
    await app.page.getByTestId('suite-cross-validate-below').fill('10');
    for (const row of await app.page.getByTestId('approach-row').all()) {
      await row.getByTestId('approach-epochs').fill('2');
      await row.getByTestId('approach-min-steps').fill('0');
      await row.getByTestId('approach-learning-rates').fill('0.003');
    }
    await app.page.getByTestId('suite-pretrain-epochs').fill('1');
    expect(await app.page.getByTestId('field-error').count()).toBe(0);
    await expect
      .poll(() => app.page.getByTestId('estimate').getAttribute('data-stale'), { timeout: scaled(15_000) })
      .toBe('false');
    await expect(app.page.getByTestId('estimate').textContent()).resolves.toContain('for 8 trials');
    const upper = Number(await app.page.getByTestId('estimate-seconds').getAttribute('data-seconds'));
    expect(upper).toBeGreaterThan(0);
    const loadThen = loadavg()[0]!;

    const loads: number[] = [];
    const sampler = setInterval(() => loads.push(loadavg()[0]!), 1000);
    const started = Date.now();
    try {
      await app.page.getByTestId('run-new-suite').click();
      await app.page.getByTestId('run-view').waitFor();
      // the run view shows the estimate it started with, from before any trial has finished (a run this short may
      // also end before a busy browser has drawn the view: then it is shown beside what the run took)
      await app.page.getByTestId('start-estimate').waitFor({ timeout: scaled(15_000) });
      const bar = app.page.getByTestId('progress-bar');
      await expect
        .poll(async () => `${await bar.getAttribute('aria-valuenow')}/${await bar.getAttribute('data-status')}`, {
          timeout: scaled(300_000),
          interval: 500,
        })
        .toBe('8/done');
      // and once it has ended, beside what it took
      await expect(app.page.getByTestId('start-estimate').innerText()).resolves.toMatch(/\d/);
    } finally {
      clearInterval(sampler);
    }
    const took = (Date.now() - started) / 1000;
    // The estimate held: the run took no longer than its upper end, stretched by the share of a core each process lost
    // to load that rose after the speed was measured (measured during the run, as in estimate-held.test.ts).
    const cores = availableParallelism();
    const during = loads.length > 0 ? loads.reduce((a, b) => a + b, 0) / loads.length : loadavg()[0]!;
    const share = (load: number) => Math.min(1, cores / Math.max(1, load));
    const slack = Math.max(1, share(loadThen) / share(during));
    console.log(
      `New-suite estimate at most ${upper} s at load ${loadThen.toFixed(1)}; the run took ${took.toFixed(1)} s at mean load ${during.toFixed(1)} on ${cores} cores; slack ${slack.toFixed(2)}`,
    );
    expect(took).toBeLessThanOrEqual(upper * slack + 1);

    // the suite view of the finished run: the answer in one sentence, worded as the report words it
    await expectAnswerAsInReport(app.page, app.dir, 3);
  });

  it('caused no console errors', () => {
    // The refusals above are answered with HTTP 400, which Chromium logs as a failed resource load.
    expect(app.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  });
});
