/**
 * `transfer-bench serve --db postgres://…` in Chromium: the app reads its suites from a shared PostgreSQL database
 * (a real server), including one another process writes while the page is open. The suites are written through the
 * store (no training: app.e2e.test.ts runs one from the UI on SQLite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../benchmarks/store/open-store.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { storeFinishedTinySuite } from '../support/stored-suite.js';
import { requireSystem } from '../support/system.js';
import { launchChromium } from './support/chromium.js';
import { requireBuilt, screenshotPath } from './support/paths.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

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
    let dataDir: string;
    let server: ServeProcess;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      requireBuilt([
        ['dist/benchmarks/cli/main.js', 'npm run build'],
        ['dist/renderer/index.html', 'npm run build:renderer'],
      ]);
      postgres = await startPostgres();
      url = await postgres.createDatabase('serve_e2e');
      await storeSuite(url);
      dataDir = mkdtempSync(join(tmpdir(), 'tb-e2e-pg-'));
      server = await startServe({ dbPath: url, env: { TRANSFER_BENCH_CACHE: join(dataDir, 'model-cache') } });
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await postgres?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('says which database it serves, without a password', () => {
      expect(server.output()).toContain(`(database ${url})`);
    });

    it('lists the suite stored in PostgreSQL and shows its trials', async () => {
      await page.goto(server.url);
      const row = page.locator('[data-testid="suite-row"][data-suite-id="1"]');
      await row.waitFor({ timeout: 30_000 });
      expect(await row.getAttribute('data-status')).toBe('done');
      expect(await row.innerText()).toMatch(/tiny[\s\S]*6\/6[\s\S]*wasm/);
      await row.getByTestId('open-suite').click();
      const trials = page.getByTestId('trial-row');
      await expect.poll(() => trials.count(), { timeout: 30_000 }).toBe(6);
      const statuses = await trials.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
      expect(statuses.sort()).toEqual(['diverged', 'done', 'done', 'done', 'done', 'failed']);
      const chart = page.getByTestId('data-efficiency-chart');
      await expect
        .poll(async () => JSON.parse((await chart.getAttribute('data-series')) ?? '[]').length, { timeout: 15_000 })
        .toBeGreaterThan(0);
      await page.screenshot({ path: screenshotPath('serve-postgres-suite'), fullPage: true });
    });

    it('shows a suite another process wrote to the same database meanwhile', async () => {
      expect(await storeSuite(url)).toBe(2);
      await page.goto(`${server.url}#/`);
      await page.reload();
      const row = page.locator('[data-testid="suite-row"][data-suite-id="2"]');
      await row.waitFor({ timeout: 30_000 });
      expect(await row.getAttribute('data-status')).toBe('done');
      expect(problems).toEqual([]);
    });
  },
);
