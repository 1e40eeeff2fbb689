import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import type { FromPage, ToPage } from './page-protocol.js';

/** One browser page that runs GPU jobs, whichever engine hosts it (a Chromium driven by Playwright, an Electron window). */
export interface PageChannel {
  /** The engine and its version, e.g. "Chromium 156.0.8078.108", as recorded in each trial's device. */
  readonly runtime: string;
  /** Delivers a message, typed arrays as binary. */
  post(message: ToPage): Promise<void>;
  onMessage(listener: (message: FromPage) => void): void;
  /** Called once when the page crashes or closes without being asked to. */
  onGone(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

/** Opens a fresh page: one per GPU worker, and a new one after a crash. */
export type PageOpener = () => Promise<PageChannel>;

/** Where `npm run build:gpu-worker` puts the page and its bundle. */
export function gpuPageDir(): string {
  return join(packageRoot(), 'dist', 'gpu');
}

/** The built page's files, or a clear error saying how to build them. */
export function requireGpuPage(dir = gpuPageDir()): { dir: string; html: string; script: string } {
  const html = join(dir, 'gpu-page.html');
  const script = join(dir, 'page-worker.js');
  if (!existsSync(html) || !existsSync(script)) {
    throw new Error(`the GPU worker page is not built (${script} is missing): run \`npm run build\``);
  }
  return { dir, html, script };
}
