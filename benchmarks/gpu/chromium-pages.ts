import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { errorMessage } from '../errors.js';
import { decodeInlineBinary, extractBinary } from './binary-refs.js';
import { extraChromiumArgs } from './chromium-switches.js';
import { findChromium } from './find-chromium.js';
import type { PageChannel, PageOpener } from './page-channel.js';
import { requireGpuPage } from './page-channel.js';
import { HOST_BINDING, PAGE_GLOBAL, type FromPage, type ToPage } from './page-protocol.js';

/**
 * Flags for the GPU worker's Chromium. WebGPU is behind --enable-unsafe-webgpu on Linux (checked with Debian's
 * Chromium 156: without it navigator.gpu gives no adapter); TRANSFER_BENCH_CHROMIUM_ARGS adds more (space-separated),
 * e.g. `--enable-features=Vulkan --use-angle=vulkan` on a Linux GPU machine whose headless Chromium falls back to
 * SwiftShader.
 */
export function chromiumArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['--enable-unsafe-webgpu', ...extraChromiumArgs(env)];
}

/** The page's origin: routed by Playwright, never on the network; localhost is a secure context, as WebGPU needs. */
const ORIGIN = 'http://localhost';

/** A Chromium page driven by Playwright: jobs go in through page.evaluate, bulk arrays through routed URLs. */
export class ChromiumPage implements PageChannel {
  private readonly listeners: ((message: FromPage) => void)[] = [];
  private readonly goneListeners: ((reason: string) => void)[] = [];
  private readonly binaries = new Map<string, Uint8Array>();
  private nextBinary = 0;
  private gone: string | null = null;
  private closing = false;

  private constructor(
    readonly page: Page,
    readonly runtime: string,
  ) {}

  static async open(browser: Browser, runtime: string): Promise<ChromiumPage> {
    const files = requireGpuPage();
    const page = await browser.newPage();
    const channel = new ChromiumPage(page, runtime);
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/gpu-page.html') return route.fulfill({ path: files.html, contentType: 'text/html' });
      if (path === '/page-worker.js') {
        return route.fulfill({ body: readFileSync(files.script), contentType: 'text/javascript' });
      }
      const bytes = channel.binaries.get(path);
      if (!bytes) return route.abort();
      channel.binaries.delete(path);
      return route.fulfill({
        body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        contentType: 'application/octet-stream',
      });
    });
    await page.exposeFunction(HOST_BINDING, (encoded: unknown) => {
      const message = decodeInlineBinary(encoded, (base64) => Buffer.from(base64, 'base64')) as FromPage;
      for (const listener of channel.listeners) listener(message);
    });
    page.on('crash', () => channel.lose('the browser page crashed (its renderer process died)'));
    page.on('close', () => channel.lose('the browser page closed'));
    page.on('pageerror', (error) => console.error(`transfer-bench GPU page: ${error.message}`));
    await page.goto(`${ORIGIN}/gpu-page.html`);
    await page.waitForFunction((name) => name in globalThis, PAGE_GLOBAL);
    return channel;
  }

  async post(message: ToPage): Promise<void> {
    if (this.gone !== null) throw new Error(this.gone);
    const encoded = extractBinary(message, (bytes) => {
      const path = `/binary/${++this.nextBinary}`;
      this.binaries.set(path, bytes);
      return `${ORIGIN}${path}`;
    });
    await this.page.evaluate(
      async ({ name, message }) => {
        const page = (globalThis as unknown as Record<string, { receive(m: unknown): Promise<void> }>)[name]!;
        await page.receive(message);
      },
      { name: PAGE_GLOBAL, message: encoded },
    );
  }

  onMessage(listener: (message: FromPage) => void): void {
    this.listeners.push(listener);
  }

  onGone(listener: (reason: string) => void): void {
    this.goneListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.binaries.clear();
    await this.page.close().catch(() => {});
  }

  private lose(reason: string): void {
    if (this.gone !== null || this.closing) return;
    this.gone = reason;
    this.binaries.clear();
    for (const listener of this.goneListeners) listener(reason);
  }
}

/** Pages of one headless Chromium, launched on first use (and again if it went away). */
export class ChromiumPages {
  private browser: Promise<{ browser: Browser; runtime: string }> | null = null;

  constructor(private readonly executable: () => string = () => findChromium()) {}

  readonly open: PageOpener = async () => {
    const { browser, runtime } = await this.launch();
    return ChromiumPage.open(browser, runtime);
  };

  /** The browser these pages open in (launched if need be), for a caller that needs a plain page of it. */
  async launched(): Promise<Browser> {
    return (await this.launch()).browser;
  }

  async close(): Promise<void> {
    const launched = this.browser;
    this.browser = null;
    if (launched) await (await launched.catch(() => null))?.browser.close().catch(() => {});
  }

  private launch(): Promise<{ browser: Browser; runtime: string }> {
    if (!this.browser) {
      const path = this.executable();
      // playwright-core is loaded here, not at start-up: it is most of what every command would pay to start.
      const launching = import('playwright-core')
        .then(({ chromium }) => chromium.launch({ executablePath: path, headless: true, args: chromiumArgs() }))
        .then((browser) => {
          browser.on('disconnected', () => {
            if (this.browser === launching) this.browser = null;
          });
          const name = /chrome/i.test(basename(path)) && !/chromium/i.test(path) ? 'Chrome' : 'Chromium';
          return { browser, runtime: `${name} ${browser.version()}` };
        })
        .catch((error: unknown) => {
          this.browser = null;
          throw new Error(`could not start ${path} for the GPU backends: ${errorMessage(error)}`);
        });
      this.browser = launching;
    }
    return this.browser;
  }
}
