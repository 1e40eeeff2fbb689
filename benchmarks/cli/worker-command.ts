/** What `transfer-bench worker` does once its options are read (worker.ts registers it and says what it is). */
import { hostname } from 'node:os';
import type { BackendChoice } from '../domain.js';
import { connectShared, requirePostgres } from '../distributed/distributed-session.js';
import { DistributedWorker } from '../distributed/worker-loop.js';
import { LiveWorker } from '../runner/live-worker.js';
import { checkWorkerCount, workerCount } from '../runner/worker-limit.js';
import { nodeForker } from '../runner/worker-process.js';
import { openStore } from '../store/open-store.js';

const line = (text: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${text}`);

export async function workerAction(opts: { db: string; backend: BackendChoice; workers?: number }): Promise<void> {
  requirePostgres(opts.db, 'transfer-bench worker');
  checkWorkerCount(opts.workers);
  // A worker never upgrades the database: workers of the older version may still be running on it (`migrate`).
  const store = await openStore(opts.db, { migrate: false });
  let first: LiveWorker;
  try {
    first = await LiveWorker.start(nodeForker, opts.backend);
  } catch (error) {
    await store.close();
    throw error;
  }
  const slots = workerCount(opts.workers, first.backend.name, Number.POSITIVE_INFINITY);
  let shared;
  try {
    shared = await connectShared(store, opts.db, line);
  } catch (error) {
    first.kill();
    await store.close();
    throw error;
  }
  const worker = new DistributedWorker(
    {
      ...shared,
      forkWorker: nodeForker,
      backend: opts.backend,
      slots,
      log: line,
    },
    first,
  );
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      line('stopping: the trials in flight finish and are stored (Ctrl-C again gives them back to the queue)');
      worker.stop(false);
    } else {
      line('stopping now: the trials in flight go back to the queue for another worker');
      worker.stop(true);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  line(
    `worker on ${hostname()} (pid ${process.pid}): ${slots} worker process${slots === 1 ? '' : 'es'} on ${first.backend.name}, waiting for trials in ${store.location}; Ctrl-C stops`,
  );
  try {
    await worker.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await shared.close();
    await store.close();
  }
  line('worker stopped');
}
