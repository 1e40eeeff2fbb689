import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAppPage } from './support/app-page.js';
import { screenshotPath } from './support/paths.js';
import { scaled } from '../support/machine-load.js';
import { requireSystem } from '../support/system.js';

/**
 * A built-in suite started from the Suites screen states how long it takes before its first trial: the engine
 * measures it with the estimator `run` prints from, the card shows the range with its basis, and the run view opens
 * with it (never "after the first trial ends" while an estimate exists). The run is cancelled once that is seen.
 */
describe.skipIf(!requireSystem('chromium'))('a built-in suite started from the Suites screen, in Chromium', () => {
  const app = useAppPage({
    name: 'tb-e2e-estimate-',
    // its subject is the estimate: the server measures this machine itself, as on a new one
    prepare: (dir) => ({
      dbPath: join(dir, 'e2e.db'),
      env: { TRANSFER_BENCH_CACHE: join(dir, 'model-cache') },
      freshMeasurements: true,
    }),
    httpErrors: true,
  });

  it('shows its estimate with its basis before the first trial', async () => {
    const { page } = app;
    await page.goto(app.server.url);
    await page.locator('[data-testid="run-suite"][data-suite="quick"]').click();
    // measured on the engine's machine (its data read, a second of training, a worker started), then started
    await page.getByTestId('run-view').waitFor({ timeout: scaled(120_000) });
    const started = page.getByTestId('start-estimate');
    await started.waitFor();
    const range = (await started.innerText()).trim();
    expect(range).toMatch(/^(at most \S+.*|\S+.* to \S+.*)$/);
    // Before the first trial ends the remaining time is what is left of the range, never "after the first trial".
    // Read at one moment in the page: on a busy machine the run may already have ended (no remaining time then).
    const now = await page.evaluate(() => {
      const find = (id: string) =>
        (
          globalThis as unknown as {
            document: {
              querySelector(s: string): { textContent: string | null; getAttribute(a: string): string | null } | null;
            };
          }
        ).document.querySelector(`[data-testid="${id}"]`);
      return {
        eta: find('eta')?.textContent ?? null,
        finished: find('progress-bar')?.getAttribute('aria-valuenow') ?? null,
      };
    });
    if (now.eta !== null && Number(now.finished) === 0) {
      expect(now.eta.trim()).not.toMatch(/after the first trial/);
      expect(now.eta.trim()).toMatch(/\d/);
    }
    await page.screenshot({ path: screenshotPath('builtin-estimate-run'), fullPage: true });

    // Seen: the run is cancelled to save time. On a quiet machine `quick` (about 20 s) may have ended meanwhile; then
    // there is nothing to cancel, and the run view says so.
    const stillRunning = async (click: () => Promise<void>): Promise<boolean> =>
      click().then(
        () => true,
        async (error: unknown) => {
          if (await page.getByTestId('cancel-run').or(page.getByTestId('cancel-run-confirm')).count()) throw error;
          return false;
        },
      );
    if (await stillRunning(() => page.getByTestId('cancel-run').click({ timeout: scaled(5_000) }))) {
      await stillRunning(() => page.getByTestId('cancel-run-confirm').click({ timeout: scaled(5_000) }));
    }

    // the Suites screen keeps the estimate on the card: the same range, with what it rests on
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/';
    });
    const card = page.locator('[data-testid="builtin-suite"][data-suite="quick"]');
    const stated = card.getByTestId('builtin-estimate');
    await stated.waitFor();
    expect(await stated.innerText()).toMatch(
      new RegExp(`^${range.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} for \\d+ trials$`),
    );
    expect(await card.getByTestId('builtin-estimate-basis').innerText()).toMatch(
      /^basis: \d+ training samples\/s per worker and [\d.]+ s fixed cost per training, measured .* at a load of [\d.]+ on \d+ cores; each worker's start-up [\d.]+ s \(process and backend/,
    );
    await card.screenshot({ path: screenshotPath('builtin-estimate-card') });
    expect(app.problems).toEqual([]);
  });
});
