import type { WorkerHandle } from '../runner/worker-process.js';
import type { FromWorker, ToWorker } from '../runner/worker-protocol.js';
import { GpuHost } from './gpu-host.js';
import type { PageOpener } from './page-channel.js';

/**
 * A GPU worker hosted in this process (the desktop app's main process): its jobs are read and stored here and
 * trained in pages that `openPage` opens (hidden windows). Killing it closes its page; a crashed page only fails
 * the job it was running.
 */
export function pageWorkerHandle(openPage: PageOpener): WorkerHandle {
  const messageListeners: ((message: unknown) => void)[] = [];
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let killed = false;
  const host = new GpuHost(openPage, (message: FromWorker) => {
    if (!killed) messageListeners.forEach((listener) => listener(message));
  });
  let queue: Promise<void> = Promise.resolve();
  return {
    send: (message) => {
      if (killed) return;
      queue = queue.then(() => host.handle(message as ToWorker)).catch((error: unknown) => console.error(error));
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onExit: (listener) => void exitListeners.push(listener),
    kill: () => {
      if (killed) return;
      killed = true;
      void host.close();
      for (const listener of exitListeners) listener(null, 'SIGKILL');
    },
  };
}
