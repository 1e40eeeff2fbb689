import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeApi } from '../../benchmarks/contract.js';
import { findElectronBinary } from '../../scripts/electron-binary.js';
import { REPO_ROOT, requireBuilt, screenshotPath } from './support/paths.js';
import { recordSkip, requireSystem } from '../support/system.js';

/**
 * The desktop app itself, through Playwright's Electron support: launch, window title, the suites list,
 * the contract over IPC, and the window's security settings.
 *
 * Needs the Electron binary (Electron >= 41 downloads it on first `npm start`, or `npx install-electron`) and a
 * display (Debian's xvfb: run the tests under `xvfb-run -a`). Without a display the test is skipped, or fails with
 * CI=true (test/support/system.ts). Without the Electron binary it is skipped even with CI=true: the binary is a
 * download from GitHub, not a Debian package, and CI machines without network access cannot have it.
 */

const electron = findElectronBinary();
function canRun(): boolean {
  if (electron.path) return requireSystem('display');
  recordSkip(
    `the Electron ${electron.version} binary is not installed: run \`npx install-electron\` or \`npm start\` with network access (Electron >= 41 downloads it on first launch)`,
  );
  return false;
}
const runnable = canRun();

/** The page's globals that these tests touch (the test code is compiled without the DOM library). */
interface PageGlobals {
  transferBench?: BridgeApi;
  open(url: string): unknown;
  location: { href: string };
}

describe.skipIf(!runnable)('Electron app', () => {
  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    requireBuilt([
      ['dist/electron/main.js', 'npm run build'],
      ['dist/electron/preload.cjs', 'npm run build:preload'],
      ['dist/renderer/index.html', 'npm run build:renderer'],
    ]);
    if (
      !process.env.TRANSFER_BENCH_SQLITE_BINDING &&
      !existsSync(join(REPO_ROOT, 'build', 'electron-native', 'better_sqlite3.node'))
    ) {
      throw new Error('the Electron build of better-sqlite3 is missing: run `npm run prepare:electron`');
    }
    dataDir = mkdtempSync(join(tmpdir(), 'tb-electron-'));
    app = await _electron.launch({
      executablePath: electron.path!,
      args: [REPO_ROOT],
      cwd: REPO_ROOT,
      env: {
        ...(process.env as Record<string, string>),
        TRANSFER_BENCH_DB: join(dataDir, 'smoke.db'),
        TRANSFER_BENCH_CACHE: join(dataDir, 'model-cache'),
        XDG_CONFIG_HOME: dataDir,
        // Without a GPU, a windowed Chromium offers WebGPU on SwiftShader only with this switch (checked with Debian's
        // Chromium 156 under Xvfb; headless it does without): the app takes it from here, as the CLI's Chromium does.
        TRANSFER_BENCH_CHROMIUM_ARGS: '--enable-unsafe-swiftshader',
      },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens one window titled Transfer Bench, with no Node.js in the page', async () => {
    const info = await app.evaluate(({ BrowserWindow }) => {
      const windows = BrowserWindow.getAllWindows();
      return { count: windows.length, title: windows[0]!.getTitle(), url: windows[0]!.webContents.getURL() };
    });
    expect(info).toMatchObject({ count: 1, title: 'Transfer Bench' });
    expect(info.url).toMatch(/^app:\/\/transfer-bench\//);
    const globals = await page.evaluate(() => {
      const g = globalThis as unknown as { require?: unknown; process?: unknown; transferBench?: object };
      return {
        require: typeof g.require,
        process: typeof g.process,
        bridge: Object.keys(g.transferBench ?? {}).sort(),
      };
    });
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      bridge: ['onEvent', 'pickSuiteFile', 'request', 'saveFiles'],
    });
  });

  it('renders the suites list with the built-in suites', async () => {
    const quick = page.locator('[data-testid="builtin-suite"][data-suite="quick"]');
    await expect.poll(() => quick.count(), { timeout: 30_000 }).toBe(1);
    await page.screenshot({ path: screenshotPath('electron-suites') });
  });

  it('answers the contract over the preload bridge, and refuses invalid requests', async () => {
    const names = await page.evaluate(async () =>
      (await (globalThis as unknown as PageGlobals).transferBench!.request('listBuiltinSuites', {})).map(
        (suite) => suite.name,
      ),
    );
    expect(names).toContain('quick');
    const error = await page.evaluate(async () => {
      try {
        // Deliberately invalid: the main process must refuse it.
        await (globalThis as unknown as PageGlobals).transferBench!.request('getSuite', { suiteId: -1 });
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(error).toContain('invalid getSuite request');
  });

  it('probes the GPU in a hidden window for the environment panel, off the start-up path', async () => {
    const environment = await page.evaluate(async () => {
      const bridge = (globalThis as unknown as PageGlobals).transferBench!;
      for (;;) {
        const answer = await bridge.request('getEnvironment', {});
        if (!answer.probing) return answer;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
    expect(environment.gpu?.engine).toMatch(/^Electron [\d.]+ \(Chromium [\d.]+\)$/);
    expect(environment.gpu?.webgpu, JSON.stringify(environment.gpu?.problems)).not.toBeNull();
    expect(environment.auto?.reason).toBeTruthy();
    await page.getByTestId('environment-webgpu').waitFor({ timeout: 30_000 });
    await page.getByTestId('environment-panel').screenshot({ path: screenshotPath('electron-environment') });
  }, 120_000);

  it('trains a tiny suite on webgpu in a hidden GPU window and records the adapter', async () => {
    requireBuilt([['dist/gpu/page-worker.js', 'npm run build:gpu-worker']]);
    const path = join(REPO_ROOT, 'test', 'fixtures', 'gpu-tiny-suite.json');
    const suite = await page.evaluate(async (file) => {
      const bridge = (globalThis as unknown as PageGlobals).transferBench!;
      const { suiteId } = await bridge.request('startSuite', {
        source: { kind: 'file', path: file },
        backend: 'webgpu',
      });
      for (;;) {
        const { suite, trials } = await bridge.request('getSuite', { suiteId });
        if (suite.status !== 'running' && suite.status !== 'pending') return { status: suite.status, trials };
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }, path);
    expect(suite.status).toBe('done');
    for (const trial of suite.trials) {
      expect(trial.status).toBe('done');
      expect(trial.backend).toBe('webgpu');
      expect(trial.device).toMatch(/\(WebGPU in Electron [\d.]+ \(Chromium [\d.]+\)\)/);
    }
  }, 240_000);

  it('blocks new windows and navigation away from the app', async () => {
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.open('https://example.com/');
      g.location.href = 'https://example.com/';
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const state = await app.evaluate(({ BrowserWindow }) => ({
      count: BrowserWindow.getAllWindows().length,
      url: BrowserWindow.getAllWindows()[0]!.webContents.getURL(),
    }));
    expect(state.count).toBe(1);
    expect(state.url).toMatch(/^app:\/\/transfer-bench\//);
  });
});
