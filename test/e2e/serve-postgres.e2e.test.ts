/**
 * `transfer-bench serve --db postgres://…` in Chromium: the app reads its suites from a shared PostgreSQL database
 * (a real server), including one another process writes while the page is open. The suites are written through the
 * store (no training: app.e2e.test.ts runs one from the UI on SQLite).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../benchmarks/store/open-store.js';
import { scaled } from '../support/machine-load.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { storeFinishedTinySuite } from '../support/stored-suite.js';
import { requireSystem } from '../support/system.js';
import { useAppPage } from './support/app-page.js';
import { screenshotPath } from './support/paths.js';

async function storeSuite(url: string): Promise<number> {
  const store = await openStore(url);
  try {
    return await storeFinishedTinySuite(store);
  } finally {
    await store.close();
  }
}

describe.skipIf(!requireSystem('chromium', 'postgresql'))(
  '`transfer-bench serve --db postgres://…` in Chromium',
  () => {
    let postgres: PostgresServer;
    let url: string;
    afterAll(() => postgres?.stop());

    const app = useAppPage({
      name: 'tb-e2e-pg-',
      async prepare(dir) {
        postgres = await startPostgres();
        url = await postgres.createDatabase('serve_e2e');
        await storeSuite(url);
        return { dbPath: url, env: { TRANSFER_BENCH_CACHE: join(dir, 'model-cache') } };
      },
      httpErrors: true,
    });

    it('says which database it serves, without a password', () => {
      expect(app.server.output()).toContain(`(database ${url})`);
    });

    it('lists the suite stored in PostgreSQL and shows its trials', async () => {
      await app.page.goto(app.server.url);
      const row = app.page.locator('[data-testid="suite-row"][data-suite-id="1"]');
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('done');
      expect(await row.innerText()).toMatch(/tiny[\s\S]*6\/6[\s\S]*wasm/);
      await row.getByTestId('open-suite').click();
      const trials = app.page.getByTestId('trial-row');
      await expect.poll(() => trials.count(), { timeout: scaled(30_000) }).toBe(6);
      const statuses = await trials.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
      expect(statuses.sort()).toEqual(['diverged', 'done', 'done', 'done', 'done', 'failed']);
      const chart = app.page.getByTestId('data-efficiency-chart');
      await expect
        .poll(async () => JSON.parse((await chart.getAttribute('data-series')) ?? '[]').length, {
          timeout: scaled(15_000),
        })
        .toBeGreaterThan(0);
      await app.page.screenshot({ path: screenshotPath('serve-postgres-suite'), fullPage: true });
    });

    it('shows a suite another process wrote to the same database meanwhile', async () => {
      expect(await storeSuite(url)).toBe(2);
      await app.page.goto(`${app.server.url}#/`);
      await app.page.reload();
      const row = app.page.locator('[data-testid="suite-row"][data-suite-id="2"]');
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('done');
      expect(app.problems).toEqual([]);
    });
  },
);
