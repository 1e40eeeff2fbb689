/**
 * The CLI: its commands and options. Each command imports what it needs when it runs (run-command.ts,
 * results-commands.ts, serve-command.ts, init-command.ts, worker-command.ts), so that `--help`, a mistyped option and
 * the light commands do not load TensorFlow.js, sharp, the database drivers or the queue.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKENDS } from '../domain.js';
import { UserError, errorMessage } from '../errors.js';
import { defaultDbPath } from '../paths.js';
import { displayLocation } from '../store/location.js';
import { builtinSuiteNames } from '../spec/builtin-suites.js';
import { DEFAULT_JOB_OPTIONS } from '../distributed/job-options.js';
import { modelDirOption } from './model-dir.js';
import { registerInit } from './init.js';
import { adaptHints, detectInvocation } from './invocation.js';
import { registerVectors } from './vectors.js';
import { registerWorker } from './worker.js';
import { adaptiveOptions } from './adaptive-options.js';
import type { ResumeOptions, RunOptions } from './run-command.js';
import type { ServeOptions } from './serve-command.js';

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const parsePoints = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('expected percentage points from 0 to 100');
  return n;
};

/** For repeatable options: each occurrence adds one value. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

const dbOption = () =>
  new Option(
    '--db <location>',
    'where results are kept: an SQLite file, or postgres://user@host/database for a shared PostgreSQL database (env TRANSFER_BENCH_DB)',
  ).default(defaultDbPath(), displayLocation(defaultDbPath()));
const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKENDS]).default('auto');
const workersOption = () =>
  new Option('--workers <n>', 'worker processes (default: cores on wasm/cpu, 1 on TensorFlow backends)').argParser(
    positiveInt,
  );

const distributedOptions = () => [
  new Option(
    '--distributed',
    'enqueue the trials for `transfer-bench worker` processes on other machines instead of training here (needs --db postgres://…)',
  ),
  new Option(
    '--trial-timeout <seconds>',
    'with --distributed: a trial job still running after this long is handed out again (a dead worker is noticed sooner: its trial goes to another worker after 30 s without a heartbeat)',
  )
    .argParser((value) => {
      const seconds = positiveInt(value);
      // pg-boss keeps a job active for less than a day at most
      if (seconds >= 86_400) throw new InvalidArgumentError('expected fewer seconds than a day (86400)');
      return seconds;
    })
    .default(DEFAULT_JOB_OPTIONS.expireInSeconds),
  new Option('--retries <n>', 'with --distributed: times a trial whose worker died is handed out again')
    .argParser((v) => (v === '0' ? 0 : positiveInt(v)))
    .default(DEFAULT_JOB_OPTIONS.retryLimit),
];

export function buildProgram(): Command {
  const program = new Command('transfer-bench')
    .description(
      'Fine-tune or train from scratch? Benchmarks both across training-set sizes on your data and hardware.',
    )
    .configureOutput({
      outputError: (text, write) => write(`transfer-bench: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    });

  registerInit(program);
  registerVectors(program);
  registerWorker(program, { db: dbOption, backend: backendOption, workers: workersOption });

  const runCommand = program
    .command('run')
    .description(`run a suite: a built-in name (${builtinSuiteNames().join(', ')}) or a suite JSON file`)
    .argument('[suite]', 'built-in suite name or path to a suite file', 'mnist-split')
    .addOption(backendOption())
    .addOption(workersOption())
    .addOption(modelDirOption())
    .addOption(dbOption());
  for (const option of [...distributedOptions(), ...adaptiveOptions()]) runCommand.addOption(option);
  runCommand.action(async (suite: string, options: RunOptions) => {
    const { runAction } = await import('./run-command.js');
    await runAction(suite, options);
  });

  const resumeCommand = program
    .command('resume')
    .description('finish a suite that was stopped: only trials that are not done run again')
    .argument('<suite-id>', 'suite id (see list)', positiveInt)
    .addOption(workersOption())
    .option('--retry-failed', 'run failed trials again too (done and diverged trials are kept)', false)
    .option(
      '--force',
      'take the suite over even if the run holding it looks alive (a stuck run); that run stops',
      false,
    )
    .addOption(modelDirOption())
    .addOption(dbOption());
  for (const option of distributedOptions()) resumeCommand.addOption(option);
  resumeCommand.action(async (suiteId: number, options: ResumeOptions) => {
    const { resumeAction } = await import('./run-command.js');
    await resumeAction(suiteId, options);
  });

  program
    .command('list')
    .description('suites in the database: id, name, status, trials finished/total, started')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const { listAction } = await import('./results-commands.js');
      await listAction(options);
    });

  program
    .command('migrate')
    .description(
      'bring a database written by an older transfer-bench up to date (keeps every result); says what it does first, and refuses while processes of another version are connected',
    )
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const { migrateAction } = await import('./results-commands.js');
      await migrateAction(options);
    });

  program
    .command('export')
    .description(
      'write trials.csv, epochs.csv, summary.csv and comparison.csv of a suite, and columns.md explaining them',
    )
    .argument('<suite>', 'suite id or "latest"')
    .option('--out <dir>', 'folder to write into', 'results')
    .addOption(dbOption())
    .action(async (suite: string, options: { out: string; db: string }) => {
      const { exportAction } = await import('./results-commands.js');
      await exportAction(suite, options);
    });

  program
    .command('report')
    .description('write the decision report of a suite: verdict, crossover, data multiplier, charts, tables, caveats')
    .argument('<suite>', 'suite id or "latest"')
    .option('--out <file>', 'report.html or report.md (the format follows the extension)', 'report.html')
    .option('--tolerance <points>', 'crossover tolerance in percentage points', parsePoints, 1)
    .addOption(dbOption())
    .action(async (suite: string, options: { out: string; tolerance: number; db: string }) => {
      const { reportAction } = await import('./results-commands.js');
      await reportAction(suite, options);
    });

  program
    .command('compare')
    .description('put finished suites of one target side by side: writes the combined summary and comparison CSV')
    .argument('<suites...>', 'two to eight suite ids')
    .option('--out <dir>', 'folder to write into', 'results')
    .option(
      '--report <file>',
      'also write a compare report: compare.html or compare.md (the format follows the extension)',
    )
    .option('--tolerance <points>', 'crossover tolerance in percentage points', parsePoints, 1)
    .addOption(dbOption())
    .action(async (ids: string[], options: { out: string; report?: string; tolerance: number; db: string }) => {
      const { compareAction } = await import('./results-commands.js');
      await compareAction(ids, options);
    });

  program
    .command('serve')
    .description('serve the app over HTTP for a browser (e.g. a headless GPU box used from a laptop)')
    .option('--port <n>', 'port (0 picks a free one)', (v) => (v === '0' ? 0 : positiveInt(v)), 5917)
    .option('--host <address>', 'address to bind; anything but loopback exposes the engine to the network', '127.0.0.1')
    .option(
      '--allow-host <name>',
      'another host name the server answers to, e.g. a DNS alias or a reverse proxy (repeatable); others are refused',
      collect,
      [],
    )
    .option(
      '--data-root <folder>',
      'a folder suite files and data may be read from (repeatable); required for files when --host is not loopback',
      collect,
      [],
    )
    .addOption(modelDirOption())
    .addOption(dbOption())
    .action(async (options: ServeOptions) => {
      const { serveAction } = await import('./serve-command.js');
      await serveAction(options);
    });

  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  console.error(`transfer-bench: ${adaptHints(errorMessage(error), detectInvocation())}`);
  if (!(error instanceof UserError) && process.env.DEBUG) console.error(error);
  process.exitCode = 1;
}
