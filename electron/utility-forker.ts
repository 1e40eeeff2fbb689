import { utilityProcess } from 'electron';
import type { WorkerForker } from '../benchmarks/service/engine-service.js';

/**
 * Trial workers in the app: Electron's utility processes (Chromium's process model, Node inside), so the
 * main process only orchestrates and the window never waits on TensorFlow.js. The worker module is the
 * same one the CLI forks with child_process; it talks over process.parentPort here.
 */
export const electronForker: WorkerForker = (modulePath, execArgv) => {
  const child = utilityProcess.fork(modulePath, [], {
    execArgv,
    stdio: 'inherit',
    serviceName: 'Transfer Bench trial worker',
    // macOS: start through the plugin helper, whose entitlements let it load tfjs-node's unsigned libtensorflow.
    allowLoadingUnsignedLibraries: process.platform === 'darwin',
  });
  let spawned = false;
  let exited = false;
  const pending: unknown[] = [];
  child.once('spawn', () => {
    spawned = true;
    for (const message of pending.splice(0)) child.postMessage(message);
  });
  child.once('exit', () => {
    exited = true;
    pending.length = 0;
  });
  return {
    send: (message) => {
      if (exited) return;
      if (spawned) child.postMessage(message);
      else pending.push(message);
    },
    onMessage: (listener) => {
      child.on('message', (message: unknown) => listener(message));
    },
    // A utility process reports only an exit code; a crash (SIGILL, OOM kill) shows as a non-zero code.
    onExit: (listener) => {
      child.once('exit', (code: number) => listener(code, null));
    },
    kill: () => {
      if (!exited) child.kill();
    },
  };
};
