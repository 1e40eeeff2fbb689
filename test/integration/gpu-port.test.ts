import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumArgs } from '../../benchmarks/gpu/chromium-pages.js';
import { CHROMIUM_PATH, requireSystem } from '../support/system.js';
import { ROOT } from './cli-helpers.js';

/**
 * The desktop app's GPU page as its hidden window loads it (from disk, file://, under its Content-Security-Policy) and
 * talks to it (over a MessagePort handed in with a window message, as electron/gpu-preload.ts does), checked in
 * Debian's Chromium, since this machine has no Electron binary. Needs `npm run build` (dist/gpu).
 */
describe.skipIf(!requireSystem('chromium'))('the GPU page over a MessagePort, loaded from file://', () => {
  it('loads its script under its CSP, answers a probe and starts webgpu over the port', async () => {
    const html = join(ROOT, 'dist', 'gpu', 'gpu-page.html');
    if (!existsSync(html)) throw new Error('run `npm run build` first');
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: chromiumArgs() });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(pathToFileURL(html).href);
      const replies = await page.evaluate(
        () =>
          new Promise<unknown[]>((resolve) => {
            const { port1, port2 } = new MessageChannel();
            const got: unknown[] = [];
            // (this runs in the page: its MessagePort, not Node's, whose types the test is compiled with)
            (port1 as unknown as { onmessage: (event: { data: unknown }) => void }).onmessage = (event) => {
              got.push(event.data);
              if (got.length === 2) resolve(got);
            };
            // what the preload does with the port the main process sends it
            const page = globalThis as unknown as { postMessage(m: unknown, origin: string, t: unknown[]): void };
            page.postMessage('transfer-bench-gpu-port', '*', [port2]);
            port1.postMessage({ type: 'probe' });
            port1.postMessage({ type: 'init', backend: 'webgpu', runtime: 'Electron 45.4.1 (Chromium 142)' });
          }),
      );
      expect(replies).toMatchObject([
        { type: 'probed', probe: { webgpu: { architecture: 'swiftshader', software: true }, problems: [] } },
        {
          type: 'ready',
          backend: {
            name: 'webgpu',
            device: 'software adapter, not a GPU (WebGPU in Electron 45.4.1 (Chromium 142)): google swiftshader',
          },
        },
      ]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
