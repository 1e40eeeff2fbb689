import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../benchmarks/store/open-store.js';
import type { ChartFacts } from '../../benchmarks/charts/chart-facts.js';
import { storeFinishedTinySuite } from '../support/stored-suite.js';
import { scaled } from '../support/machine-load.js';
import { requireSystem } from '../support/system.js';
import { useAppPage } from './support/app-page.js';
import { screenshotPath } from './support/paths.js';

/**
 * The charts of stored suites in Chromium (no training): bands light enough to see the lines, the last value run on
 * the x axis, one training per trial on the convergence chart, and two identical suites drawn apart on Compare.
 * The suite shown is the first of the database in TB_CHARTS_DB (a copy is opened: e.g. a finished mnist-split, for
 * docs/screenshots), else a stored tiny suite; two more identical tiny suites are stored for Compare.
 * Screenshots go to test-results/screenshots/charts-*.png.
 */

interface DrawnSeries {
  name: string;
  points: number;
}

async function factsOf(chart: Locator): Promise<ChartFacts> {
  return JSON.parse((await chart.getAttribute('data-facts')) ?? '{}') as ChartFacts;
}

function panelOf(page: Page, testId: string): Locator {
  return page.locator('section.panel', { has: page.getByTestId(testId) });
}

describe.skipIf(!requireSystem('chromium'))('charts that show the data, in Chromium', () => {
  let twins: [number, number];
  const app = useAppPage({
    name: 'tb-e2e-charts-',
    httpErrors: true,
    prepare: async (dir) => {
      const dbPath = join(dir, 'charts.db');
      const given = process.env.TB_CHARTS_DB;
      if (given) copyFileSync(given, dbPath);
      const store = await openStore(dbPath);
      try {
        if (!given) await storeFinishedTinySuite(store);
        twins = [await storeFinishedTinySuite(store), await storeFinishedTinySuite(store)];
      } finally {
        await store.close();
      }
      return { dbPath };
    },
  });

  it('draws the data-efficiency bands light, under lines that stay visible, inside the frame', async () => {
    await app.page.goto(`${app.server.url}#/suites/1`);
    const chart = app.page.getByTestId('data-efficiency-chart');
    await expect
      .poll(async () => ((await chart.getAttribute('data-series')) ?? '[]') !== '[]', { timeout: scaled(30_000) })
      .toBe(true);
    const facts = await factsOf(chart);
    const drawn = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
    expect(facts.bandOpacities.length).toBeGreaterThanOrEqual(drawn.length);
    for (const opacity of facts.bandOpacities) {
      expect(opacity).toBeGreaterThan(0);
      expect(opacity).toBeLessThanOrEqual(0.15);
    }
    // every approach's mean line is drawn with a full stroke
    for (const s of drawn) expect(facts.lines.find((l) => l.name === s.name)?.opacity, s.name).toBe(1);
    await panelOf(app.page, 'data-efficiency-chart').screenshot({ path: screenshotPath('charts-data-efficiency') });
    // the top of the suite's view with its answer, for docs/screenshots/answer.png (a taller window holds the panel)
    await app.page.getByTestId('plain-answer-sentence').waitFor();
    await app.page.setViewportSize({ width: 1440, height: 1500 });
    await app.page.locator('h1').first().scrollIntoViewIfNeeded();
    await app.page.screenshot({ path: screenshotPath('charts-answer') });
    await app.page.setViewportSize({ width: 1440, height: 1000 });
  });

  it('ends the convergence x axis on a tick at the last epoch run, and draws the chosen training of each trial', async () => {
    const chart = app.page.getByTestId('convergence-chart');
    await expect
      .poll(async () => ((await chart.getAttribute('data-series')) ?? '[]') !== '[]', { timeout: scaled(30_000) })
      .toBe(true);
    expect(await chart.getAttribute('data-training')).toBe('current');
    const facts = await factsOf(chart);
    expect(facts.xTicks).toHaveLength(2);
    for (const ticks of facts.xTicks) {
      expect(ticks[0]).toBe(0);
      expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
      // the last tick is the longest curve's last epoch: as many points as epochs (one evaluation each here)
      const drawn = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(Math.max(...drawn.map((s) => s.points)));
    }
    for (const opacity of facts.bandOpacities) expect(opacity).toBeLessThanOrEqual(0.15);
    await panelOf(app.page, 'convergence-chart').screenshot({ path: screenshotPath('charts-convergence') });
  });

  it('draws two identical suites apart on Compare: another dash and stroke per suite, both in the legend', async () => {
    await app.page.goto(`${app.server.url}#/compare/${twins.join(',')}`);
    const chart = app.page.getByTestId('compare-efficiency-chart');
    await expect
      .poll(async () => ((await chart.getAttribute('data-series')) ?? '[]') !== '[]', { timeout: scaled(30_000) })
      .toBe(true);
    const facts = await factsOf(chart);
    const bySuite = (id: number) => facts.lines.filter((l) => l.name.includes(`#${id}`));
    const [first, second] = [bySuite(twins[0]), bySuite(twins[1])];
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBe(first.length);
    for (const [a, b] of first.map((l, i) => [l, second[i]!] as const)) {
      expect(a.dash).not.toBe(b.dash);
      expect(a.width).toBeGreaterThan(b.width);
    }
    await app.page.screenshot({ path: screenshotPath('charts-compare'), fullPage: true });
  });

  it('caused no console errors', () => {
    expect(app.problems).toEqual([]);
  });
});
