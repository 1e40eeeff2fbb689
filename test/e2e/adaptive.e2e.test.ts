import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDigitFolder } from '../unit/datasets/image-folder-fixtures.js';
import { scaled } from '../support/machine-load.js';
import { requireSystem } from '../support/system.js';
import { useAppPage } from './support/app-page.js';
import { screenshotPath } from './support/paths.js';

/**
 * An adaptive suite end to end, as a user of `transfer-bench serve` meets it: real MNIST digits written as PNG files,
 * the real engine and runner, Debian's Chromium. In the New-suite builder the user switches the design to adaptive
 * (a bad budget is refused next to its field), runs it, and the suite view shows how the suite was designed: round 0's
 * coarse sizes, each later round with why, how the design ended, and the trials run against the fixed grid.
 */

describe.skipIf(!requireSystem('chromium'))('Adaptive suite in Chromium against `transfer-bench serve`', () => {
  let digits: string;
  let otherDigits: string;

  const app = useAppPage({
    name: 'tb-e2e-adaptive-',
    async prepare(dir) {
      digits = join(dir, 'data', 'digits');
      otherDigits = join(dir, 'data', 'other-digits');
      await writeDigitFolder(digits, [3, 8], 30, ['png']);
      await writeDigitFolder(otherDigits, [1, 7], 20, ['png']);
      return {
        dbPath: join(dir, 'e2e.db'),
        args: ['--data-root', join(dir, 'data')],
        env: { TRANSFER_BENCH_CACHE: join(dir, 'model-cache'), TRANSFER_BENCH_DATA_CACHE: join(dir, 'data-cache') },
      };
    },
  });

  const fieldError = (field: string) => app.page.locator(`[data-testid="field-error"][data-field="${field}"]`);

  it('switches the New-suite builder to an adaptive design, refusing a budget that is not a number of minutes', async () => {
    await app.page.goto(app.server.url);
    await app.page.getByTestId('new-suite').click();
    await app.page.getByTestId('new-suite-view').waitFor();
    await app.page.getByTestId('target-path').fill(digits);
    await app.page.getByTestId('source-path').fill(otherDigits);
    await app.page.getByTestId('look-at-data').click();
    await app.page.getByTestId('adaptive-switch').waitFor({ timeout: scaled(60_000) });

    // a small suite: scratch and full fine-tuning, 10 to 40 examples, up to three seeds, a few steps each
    await app.page.getByTestId('suite-sizes').fill('10, 40');
    await app.page.getByTestId('suite-seeds').fill('0, 1, 2');
    await app.page.getByTestId('suite-cross-validate-below').fill('0');
    await app.page.getByTestId('suite-pretrain-epochs').fill('1');
    for (const approach of ['linear-probe', 'partial']) {
      await app.page
        .locator(`[data-testid="approach-row"][data-approach="${approach}"]`)
        .getByTestId('approach-enabled')
        .uncheck();
    }
    for (const approach of ['scratch', 'finetune']) {
      const row = app.page.locator(`[data-testid="approach-row"][data-approach="${approach}"]`);
      await row.getByTestId('approach-epochs').fill('2');
      await row.getByTestId('approach-min-steps').fill('10');
      await row.getByTestId('approach-learning-rates').fill('0.003');
    }
    expect(await app.page.getByTestId('design-budget').count()).toBe(0);
    await app.page.getByTestId('design-adaptive').check();
    await app.page.getByTestId('design-budget').fill('soon');
    await expect(fieldError('design').textContent()).resolves.toBe(
      '"soon" is not a number of minutes: give a budget above 0, or leave it empty for none',
    );
    expect(await app.page.getByTestId('run-new-suite').isEnabled()).toBe(false);
    await app.page.getByTestId('design-budget').fill('');
    expect(await app.page.getByTestId('field-error').count()).toBe(0);
    expect(await app.page.getByTestId('run-new-suite').isEnabled()).toBe(true);
  });

  it('runs it and shows each round, why, how the design ended and the trials against the fixed grid', async () => {
    await app.page.getByTestId('run-new-suite').click();
    await app.page.getByTestId('run-view').waitFor();
    const rounds = app.page.getByTestId('design-rounds');
    await rounds.waitFor({ timeout: scaled(60_000) });
    const status = app.page.getByTestId('design-status');
    await expect
      .poll(async () => (await status.count()) > 0 && (await status.getAttribute('data-stop')), {
        timeout: scaled(300_000),
        interval: 500,
      })
      .toMatch(/^(settled|seed-cap)$/);
    await expect(status.innerText()).resolves.toMatch(/Stopped after round \d+: (settled|stopped at the seed cap)/);

    const rows = app.page.getByTestId('design-rounds-table').locator('tbody tr');
    const table = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
    );
    // round 0: the two ends of the range (×4 apart), two seeds, two approaches
    expect(table[0]!.slice(0, 3)).toEqual(['0', '10, 40', '8']);
    expect(table[0]![3]).toContain('round 0: coarse sizes 10, 40');
    // every later round says why it added what it added
    for (const [round, row] of table.entries()) {
      expect(row[0]).toBe(String(round));
      expect(row[3]!.length).toBeGreaterThan(0);
    }
    // the rounds account for every trial the suite ran, and the view counts them against the 4-size fixed grid
    const added = table.reduce((sum, row) => sum + Number(row[2]), 0);
    await expect.poll(() => app.page.getByTestId('trial-row').count()).toBe(added);
    const finished = await app.page
      .getByTestId('trial-row')
      .evaluateAll((trs) => trs.filter((tr) => tr.getAttribute('data-status') === 'done').length);
    expect(finished).toBe(added);
    await expect(app.page.getByTestId('design-saved').innerText()).resolves.toMatch(
      new RegExp(`^${added} trials run of the 24-trial fixed grid at the design's resolution \\(\\d+%\\)`),
    );
    await rounds.screenshot({ path: screenshotPath('adaptive-rounds') });
  });

  it('caused no console errors', () => {
    expect(app.problems).toEqual([]);
  });
});
