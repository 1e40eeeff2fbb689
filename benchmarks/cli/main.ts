import { basename, dirname, extname, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  BACKENDS,
  MAX_COMPARED,
  MIN_COMPARED,
  type BackendChoice,
  type RunEvent,
  type SuiteStatus,
} from '../domain.js';
import { UserError, errorMessage } from '../errors.js';
import { writeFiles } from '../service/write-files.js';
import { defaultDbPath } from '../paths.js';
import { displayLocation, openStore } from '../store/open-store.js';
import { planTrials } from '../runner/suite-runner.js';
import { checkWorkerCount } from '../runner/worker-limit.js';
import { checkDataRoots } from '../service/data-roots.js';
import { createEngineService, type EngineService } from '../service/engine-service.js';
import { isLoopbackHost, startServer } from '../server/http-server.js';
import { builtinSuiteNames, suiteSourceFromArgument } from '../spec/load-suite.js';
import { DEFAULT_JOB_OPTIONS, type EnqueueOptions } from '../distributed/trial-queue.js';
import { DistributedSession, connectShared, requirePostgres } from '../distributed/distributed-session.js';
import { nodeForker } from '../runner/worker-process.js';
import { registerInit } from './init.js';
import { registerVectors } from './vectors.js';
import { registerWorker } from './worker.js';
import { ProgressDisplay } from './progress-display.js';
import { printComparison, printSuiteList, printSummaryTable } from './tables.js';

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

async function withService<T>(
  dbPath: string,
  action: (service: EngineService) => Promise<T>,
  options: { readonly?: boolean } = {},
): Promise<T> {
  const service = await createEngineService({ dbPath, readonly: options.readonly ?? false });
  try {
    return await action(service);
  } finally {
    await service.close();
  }
}

/** What follow() and report() need of a run's owner: the engine service, or a distributed session. */
type Followed = Pick<EngineService, 'subscribe' | 'getSuite' | 'cancelSuite'>;

const distributedOptions = () => [
  new Option(
    '--distributed',
    'enqueue the trials for `transfer-bench worker` processes on other machines instead of training here (needs --db postgres://…)',
  ),
  new Option(
    '--trial-timeout <seconds>',
    'with --distributed: a trial still running after this long is taken for lost (its worker died) and given to another worker',
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

/** Opens the shared PostgreSQL database for a distributed run and closes it afterwards. */
async function withDistributed<T>(
  db: string,
  jobs: EnqueueOptions,
  action: (session: DistributedSession) => Promise<T>,
): Promise<T> {
  requirePostgres(db, '--distributed');
  const store = await openStore(db);
  try {
    const shared = await connectShared(store, db, (message) => console.error(`warning: ${message}`));
    const session = new DistributedSession(shared, { forkWorker: nodeForker, jobs });
    const stopNotices = session.onNotice((message) => console.error(`warning: ${message}`));
    try {
      return await action(session);
    } finally {
      stopNotices();
      await session.close();
      await shared.close();
    }
  } finally {
    await store.close();
  }
}

/** Runs a started or resumed suite to its end with a progress display; Ctrl-C cancels cleanly. */
async function follow(
  service: Followed,
  start: () => Promise<{ suiteId: number }>,
): Promise<{ suiteId: number; status: SuiteStatus; error: string | null; notices: string[] }> {
  let display: ProgressDisplay | null = null;
  let suiteId: number | null = null;
  let notices: string[] = [];
  let finish: (end: { status: SuiteStatus; error: string | null }) => void = () => {};
  const finished = new Promise<{ status: SuiteStatus; error: string | null }>((resolve) => (finish = resolve));
  const early: RunEvent[] = [];
  const unsubscribe = service.subscribe((event) => {
    if (suiteId !== null && event.suiteId !== suiteId) return;
    if (event.type === 'suite-started') {
      suiteId = event.suiteId;
      notices = event.notices ?? [];
      void service.getSuite({ suiteId }).then(({ suite, trials }) => {
        display = new ProgressDisplay(suite.spec);
        display.handle(
          event,
          planTrials(suite.spec),
          trials.filter((t) => t.status !== 'pending'),
        );
        for (const queued of early.splice(0)) display.handle(queued, [], []);
      });
    } else if (display) {
      display.handle(event, [], []);
    } else {
      early.push(event);
    }
    if (event.type === 'suite-finished') finish({ status: event.status, error: event.error });
  });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted || suiteId === null) return;
    interrupted = true;
    process.stderr.write('\nstopping: the trials in flight are marked cancelled, finished ones are kept…\n');
    void service.cancelSuite({ suiteId });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = await start();
    suiteId = started.suiteId;
    return { suiteId: started.suiteId, ...(await finished), notices };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    unsubscribe();
    (display as ProgressDisplay | null)?.stop();
  }
}

async function report(
  service: Pick<EngineService, 'getSuite'>,
  end: { suiteId: number; status: SuiteStatus; error: string | null; notices: string[] },
  /** What `resume` needs besides the id (a distributed run: --distributed and its database). */
  resumeArgs = '',
): Promise<void> {
  const { suiteId, status, notices } = end;
  const { suite, trials } = await service.getSuite({ suiteId });
  printSummaryTable(suite, trials);
  for (const line of notices) console.error(line);
  if (status === 'cancelled') {
    console.error(
      end.error
        ? `suite ${suiteId} stopped: ${end.error}`
        : `suite ${suiteId} cancelled; finish it with: transfer-bench resume ${suiteId}${resumeArgs}`,
    );
    process.exitCode = 130;
  } else if (status === 'failed') {
    // The run's own error: the stored one may be missing when the database could not be written.
    console.error(`suite ${suiteId} failed: ${end.error ?? suite.error ?? 'unknown error'}`);
    process.exitCode = 1;
  } else {
    console.error(`export the results with: transfer-bench export ${suiteId} --out results/`);
  }
}

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
    .addOption(dbOption());
  for (const option of distributedOptions()) runCommand.addOption(option);
  runCommand.action(
    async (
      suite: string,
      options: {
        backend: BackendChoice;
        workers?: number;
        db: string;
        distributed?: boolean;
        trialTimeout: number;
        retries: number;
      },
    ) => {
      if (options.distributed) {
        if (options.workers)
          throw new UserError(
            '--workers is for local runs: with --distributed, each `transfer-bench worker` sets its own',
          );
        const jobs = { expireInSeconds: options.trialTimeout, retryLimit: options.retries };
        return withDistributed(options.db, jobs, async (session) => {
          const source = suiteSourceFromArgument(suite);
          const end = await follow(session, () => session.startSuite({ source, backend: options.backend }));
          await report(session, end, ' --db <the same database> --distributed');
        });
      }
      checkWorkerCount(options.workers); // before the database is opened (or created)
      await withService(options.db, async (service) => {
        const source = suiteSourceFromArgument(suite);
        const end = await follow(service, () =>
          service.startSuite({
            source,
            backend: options.backend,
            ...(options.workers ? { workers: options.workers } : {}),
          }),
        );
        await report(service, end);
      });
    },
  );

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
    .addOption(dbOption());
  for (const option of distributedOptions()) resumeCommand.addOption(option);
  resumeCommand.action(
    async (
      suiteId: number,
      options: {
        db: string;
        workers?: number;
        retryFailed: boolean;
        force: boolean;
        distributed?: boolean;
        trialTimeout: number;
        retries: number;
      },
    ) => {
      if (options.distributed) {
        if (options.workers)
          throw new UserError(
            '--workers is for local runs: with --distributed, each `transfer-bench worker` sets its own',
          );
        const jobs = { expireInSeconds: options.trialTimeout, retryLimit: options.retries };
        return withDistributed(options.db, jobs, async (session) => {
          const end = await follow(session, () =>
            session.resumeSuite({ suiteId, force: options.force, retryFailed: options.retryFailed }),
          );
          await report(session, end, ' --db <the same database> --distributed');
        });
      }
      checkWorkerCount(options.workers);
      await withService(options.db, async (service) => {
        const stopNotices = service.onNotice((message) => console.error(`warning: ${message}`));
        try {
          const end = await follow(service, () =>
            service.resumeSuite({
              suiteId,
              force: options.force,
              retryFailed: options.retryFailed,
              ...(options.workers ? { workers: options.workers } : {}),
            }),
          );
          await report(service, end);
        } finally {
          stopNotices();
        }
      });
    },
  );

  program
    .command('list')
    .description('suites in the database: id, name, status, trials finished/total, started')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      await withService(options.db, async (service) => printSuiteList(await service.listSuites({})), {
        readonly: true,
      });
    });

  program
    .command('migrate')
    .description('bring a database written by an older transfer-bench up to date (keeps every result)')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const store = await openStore(options.db);
      await store.close();
      console.log(`database ${store.location} is up to date`);
    });

  program
    .command('export')
    .description('write trials.csv, epochs.csv and summary.csv of a suite')
    .argument('<suite>', 'suite id or "latest"')
    .option('--out <dir>', 'folder to write into', 'results')
    .addOption(dbOption())
    .action(async (suite: string, options: { out: string; db: string }) => {
      await withService(
        options.db,
        async (service) => {
          const suiteId = await resolveSuiteId(service, suite);
          const { files } = await service.exportCsv({ suiteId });
          for (const path of writeFiles(options.out, files)) console.log(path);
        },
        { readonly: true },
      );
    });

  program
    .command('report')
    .description('write the decision report of a suite: verdict, crossover, data multiplier, charts, tables, caveats')
    .argument('<suite>', 'suite id or "latest"')
    .option('--out <file>', 'report.html or report.md (the format follows the extension)', 'report.html')
    .option('--tolerance <points>', 'crossover tolerance in percentage points', parsePoints, 1)
    .addOption(dbOption())
    .action(async (suite: string, options: { out: string; tolerance: number; db: string }) => {
      const format = reportFormatOf(options.out, '--out');
      await withService(
        options.db,
        async (service) => {
          const suiteId = await resolveSuiteId(service, suite);
          const report = await service.getReport({ suiteId, format, tolerance: options.tolerance / 100 });
          const [path] = writeFiles(dirname(resolve(options.out)), [
            { name: basename(options.out), content: report.content },
          ]);
          console.log(path);
        },
        { readonly: true },
      );
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
      const reportFormat = options.report === undefined ? null : reportFormatOf(options.report, '--report');
      const bad = ids.find((id) => !/^\d+$/.test(id) || Number(id) === 0);
      if (bad !== undefined)
        throw new UserError(`"${bad}" is not a suite id: give the ids \`transfer-bench list\` shows`);
      const request = { suiteIds: ids.map(Number), tolerance: options.tolerance / 100 };
      if (request.suiteIds.length < MIN_COMPARED || request.suiteIds.length > MAX_COMPARED) {
        throw new UserError(`give ${MIN_COMPARED} to ${MAX_COMPARED} suite ids to compare, not ${ids.length}`);
      }
      await withService(
        options.db,
        async (service) => {
          const comparison = await service.compareSuites(request);
          const { files } = await service.exportComparisonCsv(request);
          printComparison(comparison);
          for (const path of writeFiles(options.out, files)) console.log(path);
          if (options.report !== undefined && reportFormat !== null) {
            const { compareReport } = await import('../report/compare-report.js'); // ECharts only when needed
            const { content } = compareReport(comparison, reportFormat);
            const [path] = writeFiles(dirname(resolve(options.report)), [{ name: basename(options.report), content }]);
            console.log(path);
          }
        },
        { readonly: true },
      );
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
    .addOption(dbOption())
    .action(async (options: { port: number; host: string; db: string; allowHost: string[]; dataRoot: string[] }) => {
      const exposed = !isLoopbackHost(options.host);
      const dataRoots = exposed || options.dataRoot.length > 0 ? checkDataRoots(options.dataRoot) : undefined;
      if (exposed) {
        console.error(`warning: serving on ${options.host}: anyone who can reach it can run suites and read results`);
        console.error(
          dataRoots!.length > 0
            ? `suite files and data are read only under ${dataRoots!.join(', ')}`
            : 'no --data-root given: only built-in suites and suites without data files can run; add --data-root <folder> to read suite files and data under it',
        );
      }
      const service = await createEngineService({
        dbPath: options.db,
        followSharedRuns: true,
        ...(dataRoots ? { dataRoots } : {}),
      });
      const server = await startServer({
        service,
        port: options.port,
        host: options.host,
        allowHosts: options.allowHost,
      });
      console.log(`Transfer Bench is at ${server.url} (database ${displayLocation(options.db)}); Ctrl-C stops it`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await service.close();
    });

  return program;
}

/** A report's format from its file name: .html (or .htm) or .md; anything else is refused naming the option. */
function reportFormatOf(file: string, option: string): 'html' | 'md' {
  const extension = extname(file).toLowerCase();
  if (!['.md', '.html', '.htm'].includes(extension)) {
    throw new UserError(`${option} ${file}: give a file ending in .html or .md`);
  }
  return extension === '.md' ? 'md' : 'html';
}

async function resolveSuiteId(service: EngineService, idOrLatest: string): Promise<number> {
  const suites = await service.listSuites({});
  if (idOrLatest === 'latest') {
    const latest = suites[0];
    if (!latest) throw new UserError('there are no suites in this database yet: run one with `transfer-bench run`');
    return latest.id;
  }
  if (!/^\d+$/.test(idOrLatest)) throw new UserError(`"${idOrLatest}" is not a suite id: give a number or "latest"`);
  const id = Number(idOrLatest);
  if (!suites.some((s) => s.id === id)) {
    throw new UserError(`no suite with id ${id} in this database (see \`transfer-bench list\`)`);
  }
  return id;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  console.error(`transfer-bench: ${errorMessage(error)}`);
  if (!(error instanceof UserError) && process.env.DEBUG) console.error(error);
  process.exitCode = 1;
}
