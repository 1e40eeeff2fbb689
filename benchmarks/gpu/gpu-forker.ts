import type { BackendChoice } from '../domain.js';
import type { WorkerForker, WorkerHandle } from '../runner/worker-process.js';
import type { ToWorker } from '../runner/worker-protocol.js';
import type { GpuReport } from './adapter.js';
import { isBrowserBackend, type BrowserBackendName } from './browser-backends.js';

/** How a shell (CLI/serve, or the desktop app) starts workers that train in a browser page. */
export interface GpuWorkers {
  /** A worker whose jobs run in a page on `backend`. */
  fork(backend: BrowserBackendName): WorkerHandle;
  /** The engine's GPU adapters, probed once (a page is started for it). Never throws: `problems` says what failed. */
  probe(): Promise<GpuReport>;
  /** What `--backend auto` should use from the browser engine (a hardware GPU), or null for the Node backends. Never throws. */
  autoBackend(): Promise<BrowserBackendName | null>;
}

/**
 * A forker that sends webgpu and webgl workers to `gpu`, every other backend to `base`, and decides `auto` when the
 * worker's `init` arrives: a browser worker if the engine has a hardware GPU adapter, else `base` with `auto`.
 */
export function withGpuWorkers(base: WorkerForker, gpu: GpuWorkers): WorkerForker {
  return (modulePath, execArgv, backend?: BackendChoice) => {
    if (backend !== undefined && isBrowserBackend(backend)) return gpu.fork(backend);
    if (backend !== 'auto') return base(modulePath, execArgv, backend);
    return deferredHandle(async () => {
      const browser = await gpu.autoBackend();
      return browser
        ? { handle: gpu.fork(browser), backend: browser }
        : { handle: base(modulePath, execArgv, backend), backend };
    });
  };
}

/** A handle whose worker is chosen asynchronously; messages and listeners wait for it, `init` names the choice. */
function deferredHandle(choose: () => Promise<{ handle: WorkerHandle; backend: BackendChoice }>): WorkerHandle {
  const messageListeners: ((message: unknown) => void)[] = [];
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  const queued: unknown[] = [];
  let inner: WorkerHandle | null = null;
  let killed = false;
  let exited = false;
  const exit = (code: number | null, signal: string | null): void => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener(code, signal);
  };
  void choose().then(
    ({ handle, backend }) => {
      if (killed) return handle.kill();
      inner = handle;
      handle.onMessage((message) => messageListeners.forEach((l) => l(message)));
      handle.onExit(exit);
      for (const message of queued.splice(0)) {
        const m = message as ToWorker;
        handle.send(m.type === 'init' ? { ...m, backend } : m);
      }
    },
    () => exit(1, null),
  );
  return {
    send: (message) => (inner ? inner.send(message) : void queued.push(message)),
    onMessage: (listener) => void messageListeners.push(listener),
    onExit: (listener) => void exitListeners.push(listener),
    kill: () => {
      killed = true;
      if (inner) inner.kill();
      else exit(null, 'SIGKILL');
    },
  };
}
