import type { Command, Option } from 'commander';
import type { BackendChoice } from '../domain.js';

/**
 * `transfer-bench worker`: runs trials of distributed suites from the shared PostgreSQL database on this machine.
 * Before it takes any job it opens the store (a database of another schema version is refused there, in one line
 * that says to run `migrate`: a worker never upgrades it)
 * and loads the backend in a first worker process (a backend that cannot load is refused the same way).
 */
export function registerWorker(
  program: Command,
  options: { db: () => Option; backend: () => Option; workers: () => Option },
) {
  program
    .command('worker')
    .description(
      'run trials of distributed suites here: takes them from the shared PostgreSQL database until stopped (run <suite> --distributed enqueues them)',
    )
    .addOption(options.backend())
    .addOption(options.workers())
    .addOption(options.db())
    .action(async (opts: { db: string; backend: BackendChoice; workers?: number }) => {
      // the queue (pg-boss), the store and the runner only when the command runs (cli/main.ts)
      const { workerAction } = await import('./worker-command.js');
      await workerAction(opts);
    });
}
