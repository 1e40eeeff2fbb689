import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendChoice } from '../domain.js';
import type { BackendInfo } from '../backend/select-backend.js';
import { UserError } from '../errors.js';
import type { WorkerForker, WorkerHandle } from './worker-process.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** The worker entry module beside this file; under a TypeScript loader (tests) the source file, run through tsx. */
function workerModule(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  return {
    path: join(dirname(here), fromSource ? 'trial-worker.ts' : 'trial-worker.js'),
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  };
}

type Pending = {
  onMessage: (message: FromWorker) => void;
  isFinal: (message: FromWorker) => boolean;
  resolve: (message: FromWorker) => void;
  reject: (error: Error) => void;
};

/** One worker process that has loaded its backend and runs one job at a time. */
export class LiveWorker {
  private pending: Pending | null = null;
  private exited: string | null = null;

  private constructor(
    private readonly handle: WorkerHandle,
    readonly backend: BackendInfo,
  ) {}

  static start(forker: WorkerForker, choice: BackendChoice): Promise<LiveWorker> {
    const { path, execArgv } = workerModule();
    const handle = forker(path, execArgv, choice);
    return new Promise((resolve, reject) => {
      let worker: LiveWorker | null = null;
      handle.onMessage((raw) => {
        const message = raw as FromWorker;
        if (worker) return worker.receive(message);
        if (message.type === 'ready') {
          worker = new LiveWorker(handle, message.backend);
          resolve(worker);
        } else if (message.type === 'init-failed') {
          handle.kill();
          reject(message.userError ? new UserError(message.error) : new Error(message.error));
        }
      });
      handle.onExit((code, signal) => {
        if (worker) return worker.died(code, signal);
        reject(new Error(`worker process exited while loading the backend (${describeExit(code, signal)})`));
      });
      handle.send({ type: 'init', backend: choice } satisfies ToWorker);
    });
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Sends a job and resolves with its final message; progress messages go to `onMessage`. Rejects if the process dies. */
  request(
    message: ToWorker,
    isFinal: (message: FromWorker) => boolean,
    onMessage: (message: FromWorker) => void = () => {},
  ): Promise<FromWorker> {
    if (this.exited !== null) return Promise.reject(new Error(`worker process is gone (${this.exited})`));
    if (this.pending) return Promise.reject(new Error('worker is busy'));
    return new Promise((resolve, reject) => {
      this.pending = { onMessage, isFinal, resolve, reject };
      this.handle.send(message);
    });
  }

  kill(): void {
    this.handle.kill();
  }

  private receive(message: FromWorker): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.isFinal(message)) {
      this.pending = null;
      pending.resolve(message);
    } else {
      pending.onMessage(message);
    }
  }

  private died(code: number | null, signal: string | null): void {
    this.exited = describeExit(code, signal);
    const pending = this.pending;
    this.pending = null;
    pending?.reject(new Error(`worker process exited during the job (${this.exited})`));
  }
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit code ${code ?? 'unknown'}`;
}
