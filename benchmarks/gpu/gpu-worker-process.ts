import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from '../runner/worker-protocol.js';
import { ChromiumPages } from './chromium-pages.js';
import { GpuHost } from './gpu-host.js';

/**
 * Entry point of a GPU worker process under the CLI and `serve` (forked like runner/trial-worker.ts, same messages):
 * it reads each job's data here and trains it in a page of a headless Chromium that it starts.
 */

function runWorker(): void {
  const send = (message: FromWorker): void => void process.send?.(message);
  const pages = new ChromiumPages();
  const host = new GpuHost(pages.open, send);
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (message) => {
    queue = queue.then(() => host.handle(message as ToWorker));
  });
  process.on('disconnect', () => {
    void Promise.all([host.close(), pages.close()]).finally(() => process.exit(0));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runWorker();
