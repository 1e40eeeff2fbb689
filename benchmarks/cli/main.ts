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
import type { SuiteSource } from '../contract.js';
import { UserError, errorMessage } from '../errors.js';
import { writeFiles } from '../service/write-files.js';
import { defaultDbPath } from '../paths.js';
import { displayLocation, openStore } from '../store/open-store.js';
import { SCHEMA_VERSION, describePlan } from '../store/schema-version.js';
import { checkWorkerCount } from '../runner/worker-limit.js';
import { checkDataRoots } from '../service/data-roots.js';
import { createEngineService, type EngineService } from '../service/engine-service.js';
import { isLoopbackHost, startServer } from '../server/http-server.js';
import { builtinSuiteNames, loadSuite, suiteSourceFromArgument } from '../spec/load-suite.js';
import { suiteSources } from '../spec/sources.js';
import { DEFAULT_JOB_OPTIONS, type EnqueueOptions } from '../distributed/trial-queue.js';
import type { AdaptiveDesignSpec } from '../spec/suite-schema.js';
import type { WorkBasis } from '../spec/trial-work.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import { DistributedSession, connectShared, requirePostgres } from '../distributed/distributed-session.js';
import { nodeForker } from '../runner/worker-process.js';
import { measureWorkerStart } from '../runner/worker-start-time.js';
import { downloadBar } from './download-bar.js';
import { modelDirOption, useModelDir } from './model-dir.js';
import { registerInit } from './init.js';
import { adaptHints, commandLine, detectInvocation } from './invocation.js';
import { checkSuiteArgument } from './did-you-mean.js';
import { listenError } from './listen-error.js';
import { registerVectors } from './vectors.js';
import { registerWorker } from './worker.js';
import { ProgressDisplay } from './progress-display.js';
import { estimateLines } from './estimate-lines.js';
import { adaptiveOptions } from './adaptive-options.js';
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
  let result: T;
  try {
    result = await action(service);
  } catch (error) {
    // The action's error is the one to show: closing may fail for the same cause (e.g. a full disk).
    await service.close().catch(() => {});
    throw error;
  }
  await service.close();
  return result;
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

/** A catalogue model the suite names is downloaded here, with a progress bar, before the run checks the suite. */
async function fetchBroughtModels(suite: string | undefined): Promise<void> {
  const loaded = loadSuite(suiteSourceFromArgument(suite));
  if (!suiteSources(loaded.spec).some((s) => s.pretrainedModel)) return;
  const { prepareBroughtModels } = await import('../builder/brought-models.js');
  const bar = downloadBar();
  try {
    await prepareBroughtModels(loaded, { onDownload: bar.onDownload });
  } finally {
    bar.stop();
  }
}

/**
 * Before a run: how long it will take, from the estimator `init` and the New-suite screen use (builder/estimate.ts),
 * as lines for stderr with what it rests on, and the target's classes (for the ETA's weights; undefined without an
 * estimate). The lines are printed once the run has accepted the suite (follow), so a suite its checks refuse gets
 * their one error line alone. A suite whose data cannot be read fails here with the error its run would give.
 */
async function runEstimate(
  loaded: LoadedSuite,
  backend: BackendChoice,
  workers: number | undefined,
  adaptive: boolean,
): Promise<{ lines: string[]; numClasses?: number; workBasis?: WorkBasis }> {
  const { estimateSuite, noEstimateReason } = await import('../builder/estimate-suite.js');
  const { spec } = loaded;
  // webgpu and webgl (gpu/browser-backends.ts, which the CLI layer does not import) train in a browser page
  const none =
    backend === 'webgpu' || backend === 'webgl'
      ? `the ${backend} backend trains in a browser page, whose speed this process cannot measure`
      : noEstimateReason(spec, adaptive);
  if (none !== null) return { lines: [`${'estimate'.padEnd(14)}none: ${none}`] };
  // Nothing is stored while the estimate reads the data and times a worker's start: Ctrl-C stops at once, as it does
  // while the run's checks read it (follow).
  const onSignal = () => {
    process.stderr.write('\nstopped before the run began: no trial was trained or stored\n');
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let found: Awaited<ReturnType<typeof estimateSuite>>;
  try {
    found = await estimateSuite(spec, loaded.baseDir, backend, {
      ...(workers ? { workers } : {}),
      measureWorkerStart: (choice) => measureWorkerStart(nodeForker, choice),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (!found) return { lines: [] };
  const [range, basis] = estimateLines(found.estimate, found.throughput, {
    pretrainCached: found.pretrainCached,
    startup: found.startup,
  });
  return {
    lines: [
      `${'estimate'.padEnd(14)}${range}`,
      `${''.padEnd(14)}${basis}`,
      `${''.padEnd(14)}from the first finished trial on, the ETA follows the trials' own times`,
    ],
    numClasses: found.numClasses,
    workBasis: found.workBasis,
  };
}

/** What runs a suite for `run` and `resume`: the engine service here, or a distributed session (--distributed). */
type SuiteRunner = Followed & {
  startSuite(request: {
    source: SuiteSource;
    backend: BackendChoice;
    workers?: number;
    design?: AdaptiveDesignSpec;
  }): Promise<{ suiteId: number }>;
  resumeSuite(request: {
    suiteId: number;
    force: boolean;
    retryFailed: boolean;
    workers?: number;
  }): Promise<{ suiteId: number }>;
};

/**
 * Opens what runs the suite, local or distributed, with the same checks and warnings, and the hint `report` adds to
 * its resume command.
 */
async function withSuiteRunner<T>(
  options: { db: string; workers?: number; distributed?: boolean; trialTimeout: number; retries: number },
  action: (runner: SuiteRunner, resumeHint: string) => Promise<T>,
): Promise<T> {
  if (options.distributed) {
    if (options.workers)
      throw new UserError('--workers is for local runs: with --distributed, each `transfer-bench worker` sets its own');
    const jobs = { expireInSeconds: options.trialTimeout, retryLimit: options.retries };
    return withDistributed(options.db, jobs, (session) => action(session, ' --distributed'));
  }
  checkWorkerCount(options.workers); // before the database is opened (or created)
  return withService(options.db, async (service) => {
    const stopNotices = service.onNotice((message) => console.error(`warning: ${message}`));
    try {
      return await action(service, '');
    } finally {
      stopNotices();
    }
  });
}

/** Runs a started or resumed suite to its end with a progress display; Ctrl-C cancels cleanly. */
async function follow(
  service: Followed,
  start: () => Promise<{ suiteId: number }>,
  /** The target's classes when known (from the estimate): the ETA counts the folds of the sizes that use k-fold. */
  numClasses?: number,
  /** Lines printed once the run has accepted the suite, before its progress (the estimate). */
  intro: readonly string[] = [],
  /** The estimate's FLOP counts: the ETA weighs trials by them (spec/trial-work.ts). */
  workBasis?: WorkBasis,
): Promise<{ suiteId: number; status: SuiteStatus; error: string | null; notices: string[] }> {
  let display: ProgressDisplay | null = null;
  let suiteId: number | null = null;
  let notices: string[] = [];
  let finish: (end: { status: SuiteStatus; error: string | null }) => void = () => {};
  const finished = new Promise<{ status: SuiteStatus; error: string | null }>((resolve) => (finish = resolve));
  const early: RunEvent[] = [];
  const unsubscribe = service.subscribe((event) => {
    // the CLI prepares brought models before the run, with its own download bar
    if (event.type === 'model-download') return;
    if (suiteId !== null && event.suiteId !== suiteId) return;
    if (event.type === 'suite-started') {
      suiteId = event.suiteId;
      notices = event.notices ?? [];
      for (const line of intro) console.error(line);
      void service.getSuite({ suiteId }).then(({ suite, trials }) => {
        display = new ProgressDisplay(suite.spec, process.stderr, numClasses, workBasis);
        // the stored trials are the plan (an adaptive suite adds a round at a time)
        display.handle(
          event,
          trials,
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
    // Before the suite is stored (its data is being checked: minutes for a large folder), nothing is written yet, so
    // Ctrl-C stops at once; so does a second Ctrl-C. The store's writes are transactions: none is left half-done,
    // and a run stopped after its suite was stored is found interrupted and resumable.
    if (suiteId === null || interrupted) {
      process.stderr.write(
        suiteId === null
          ? '\nstopped before the run began: no trial was trained or stored\n'
          : `\nstopped at once: finished trials are kept; finish the suite with: transfer-bench resume ${suiteId}\n`,
      );
      process.exit(130);
    }
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
  const invocation = detectInvocation();
  // The summary is read from the database, which may be what failed (a full disk): then the run's own message, which
  // names the database and what to do, still ends the output.
  let stored: Awaited<ReturnType<Followed['getSuite']>> | null = null;
  try {
    stored = await service.getSuite({ suiteId });
  } catch (error) {
    console.error(`(the summary table cannot be shown: ${errorMessage(error)})`);
  }
  if (stored) printSummaryTable(stored.suite, stored.trials);
  const suite = stored?.suite;
  for (const line of notices) console.error(adaptHints(line, invocation));
  if (status === 'cancelled') {
    console.error(
      end.error
        ? `suite ${suiteId} stopped: ${adaptHints(end.error, invocation)}`
        : `suite ${suiteId} cancelled; finish it with: ${commandLine(invocation, `resume ${suiteId}${resumeArgs}`)}`,
    );
    process.exitCode = 130;
  } else if (status === 'failed') {
    // The run's own error: the stored one may be missing when the database could not be written.
    console.error(`suite ${suiteId} failed: ${end.error ?? suite?.error ?? 'unknown error'}`);
    process.exitCode = 1;
  } else {
    console.error(`export the results with: ${commandLine(invocation, `export ${suiteId} --out results/`)}`);
    console.error(`write the report with: ${commandLine(invocation, `report ${suiteId} --out report.html`)}`);
    // A run that leaves failed trials is not a success: scripts and CI see a non-zero exit, and the last line says why.
    const failed = stored?.trials.filter((t) => t.status === 'failed') ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      console.error(
        `suite ${suiteId} finished with ${failed.length} of ${stored!.trials.length} trials failed (the first, ${first.approach} n=${first.trainSize} seed ${first.seed}: ${first.error ?? 'no reason stored'}); run them again with: ${commandLine(invocation, `resume ${suiteId} --retry-failed${resumeArgs}`)}`,
      );
      process.exitCode = 1;
    }
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
    .addOption(modelDirOption())
    .addOption(dbOption());
  for (const option of [...distributedOptions(), ...adaptiveOptions()]) runCommand.addOption(option);
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
        adaptive?: boolean;
        budget?: number;
        modelDir?: string;
      },
    ) => {
      useModelDir(options.modelDir);
      if (options.budget !== undefined && !options.adaptive) throw new UserError('--budget is for --adaptive runs');
      const design = options.adaptive
        ? { design: { kind: 'adaptive' as const, ...(options.budget ? { budgetSeconds: options.budget } : {}) } }
        : {};
      checkSuiteArgument(suite);
      await fetchBroughtModels(suite);
      await withSuiteRunner(options, async (runner, resumeHint) => {
        const source = suiteSourceFromArgument(suite);
        // a distributed run's workers are other machines: this one's speed says nothing of them
        const estimate = options.distributed
          ? { lines: [] }
          : await runEstimate(loadSuite(source), options.backend, options.workers, design.design !== undefined);
        const end = await follow(
          runner,
          () =>
            runner.startSuite({
              source,
              backend: options.backend,
              ...(options.workers ? { workers: options.workers } : {}),
              ...design,
            }),
          estimate.numClasses,
          estimate.lines,
          estimate.workBasis,
        );
        await report(runner, end, resumeHint);
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
    .addOption(modelDirOption())
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
        modelDir?: string;
      },
    ) => {
      useModelDir(options.modelDir);
      await withSuiteRunner(options, async (runner, resumeHint) => {
        const end = await follow(runner, () =>
          runner.resumeSuite({
            suiteId,
            force: options.force,
            retryFailed: options.retryFailed,
            ...(options.workers ? { workers: options.workers } : {}),
          }),
        );
        await report(runner, end, resumeHint);
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
    .description(
      'bring a database written by an older transfer-bench up to date (keeps every result); says what it does first, and refuses while processes of another version are connected',
    )
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const where = displayLocation(options.db);
      const store = await openStore(options.db, {
        onMigrate: (plan) => describePlan(where, plan).forEach((line) => console.log(line)),
      });
      await store.close();
      console.log(`database ${store.location} is up to date (schema version ${SCHEMA_VERSION})`);
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
      await withService(
        options.db,
        async (service) => {
          const suiteId = await resolveSuiteId(service, suite);
          const { files } = await service.exportCsv({ suiteId });
          const paths = writeFiles(options.out, files);
          console.error(await describeSuite(service, suiteId, suite, 'exported'));
          for (const path of paths) console.log(path);
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
          console.error(await describeSuite(service, suiteId, suite, 'reported on'));
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
    .addOption(modelDirOption())
    .addOption(dbOption())
    .action(
      async (options: {
        port: number;
        host: string;
        db: string;
        allowHost: string[];
        dataRoot: string[];
        modelDir?: string;
      }) => {
        useModelDir(options.modelDir);
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
        }).catch(async (error: unknown) => {
          await service.close();
          throw listenError(error, options.host, options.port);
        });
        console.log(`Transfer Bench is at ${server.url} (database ${displayLocation(options.db)}); Ctrl-C stops it`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        await service.close();
      },
    );

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

/** Which suite a command wrote, for `export latest` and the like: "exported suite 3 (quick, the latest; done, 12/12 trials, …)". */
async function describeSuite(service: EngineService, suiteId: number, asked: string, verb: string): Promise<string> {
  const { suite } = await service.getSuite({ suiteId });
  const which = asked === 'latest' ? ', the latest' : '';
  return `${verb} suite ${suite.id} (${suite.name}${which}; ${suite.status}, ${suite.trialsFinished}/${suite.trialsTotal} trials, started ${suite.createdAt.replace('T', ' ').slice(0, 16)})`;
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
  console.error(`transfer-bench: ${adaptHints(errorMessage(error), detectInvocation())}`);
  if (!(error instanceof UserError) && process.env.DEBUG) console.error(error);
  process.exitCode = 1;
}
