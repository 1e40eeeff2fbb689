import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { scaled } from '../../support/machine-load.js';
import { launchChromium } from './chromium.js';
import { requireBuilt } from './paths.js';
import { startServe, type ServeOptions, type ServeProcess } from './serve-process.js';

/** The app as a user meets it: `transfer-bench serve` and a page of Debian's Chromium open on nothing yet. */
export interface AppPage {
  /** A temporary folder of the test file's own (its real path), removed at the end. */
  dir: string;
  server: ServeProcess;
  browser: Browser;
  page: Page;
  /**
   * What went wrong in the page: console errors (Content-Security-Policy violations among them), uncaught errors,
   * and with `httpErrors` every response of 400 and above. A test ends by expecting none.
   */
  problems: string[];
}

export interface AppPageOptions {
  /** Start of the temporary folder's name. */
  name: string;
  /** Fills the temporary folder as the test needs and says what `serve` opens (database, arguments, environment). */
  prepare(dir: string): Promise<ServeOptions> | ServeOptions;
  /** Count responses of 400 and above as problems. */
  httpErrors?: boolean;
}

/**
 * Opens the app for the calling `describe` block: checks the build, prepares the data, starts `serve` and Chromium
 * before its tests (beforeAll), and closes them and removes the folder after them (afterAll). The fields of the
 * returned object are there once the tests run. Hooks the caller registers before this one run around it: start a
 * database before calling it, and it is stopped after the app is closed.
 */
export function useAppPage(options: AppPageOptions): AppPage {
  const app = {} as AppPage;
  let dir: string | undefined;
  let server: ServeProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    requireBuilt([
      ['dist/benchmarks/cli/main.js', 'npm run build'],
      ['dist/renderer/index.html', 'npm run build:renderer'],
    ]);
    dir = realpathSync(mkdtempSync(join(tmpdir(), options.name)));
    server = await startServe(await options.prepare(dir));
    browser = await launchChromium();
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(scaled(30_000));
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    if (options.httpErrors) {
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
    }
    Object.assign(app, { dir, server, browser, page, problems });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return app;
}
