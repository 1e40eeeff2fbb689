import { fork } from 'node:child_process';
import type { BackendChoice } from '../domain.js';

/** A trial-running process, whichever API started it (Node's child_process or Electron's utilityProcess). */
export interface WorkerHandle {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process ends, however it ends. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/**
 * Starts `modulePath` (an ES module file path) as a worker process. `backend` is the backend the worker is about to
 * be asked for: a forker may start something else for it (benchmarks/gpu/gpu-forker.ts: a browser page for webgpu).
 */
export type WorkerForker = (modulePath: string, execArgv: string[], backend?: BackendChoice) => WorkerHandle;

export const nodeForker: WorkerForker = (modulePath, execArgv) => {
  const child = fork(modulePath, [], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return {
    send: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
    kill: () => {
      child.kill('SIGKILL');
    },
  };
};
