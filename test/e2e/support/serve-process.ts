import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { THROUGHPUT_CACHE_ENV } from '../../../benchmarks/builder/throughput-cache.js';
import { scaled } from '../../support/machine-load.js';
import { SHARED_MEASUREMENTS } from '../../support/shared-measurements.js';
import { REPO_ROOT } from './paths.js';

export interface ServeProcess {
  url: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  dbPath: string;
  env?: Record<string, string>;
  /** More arguments for `serve`, e.g. ['--host', '0.0.0.0']. */
  args?: string[];
  /**
   * The server measures the machine for its estimates in its own model cache, as on a new machine. By default it
   * shares the measurements of the whole `vitest run` (test/support/shared-measurements.ts), as the CLI tests' sandboxes
   * do; the tests whose subject is the estimate ask for fresh ones.
   */
  freshMeasurements?: boolean;
}

/** Runs the real CLI, `transfer-bench serve --port 0 [args]`, and waits for the URL it prints. */
export function startServe(options: ServeOptions): Promise<ServeProcess> {
  const { [THROUGHPUT_CACHE_ENV]: _measurements, ...inherited } = process.env;
  const shared = options.freshMeasurements ? undefined : inject(SHARED_MEASUREMENTS);
  const env = { ...inherited, ...(shared ? { [THROUGHPUT_CACHE_ENV]: shared } : {}), ...options.env };
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'transfer-bench.js'),
      'serve',
      '--db',
      options.dbPath,
      '--port',
      '0',
      ...(options.args ?? []),
    ],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), scaled(15_000));
    await exited;
    clearTimeout(timer);
  };

  const startTimeout = scaled(60_000);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`transfer-bench serve printed no URL within ${Math.round(startTimeout / 1000)} s:\n${output}`));
    }, startTimeout);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /https?:\/\/[^\s)]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[0], output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`transfer-bench serve exited (${code ?? signal}) before printing its URL:\n${output}`));
    });
  });
}
