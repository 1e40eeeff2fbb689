/** What `run` and `resume` do once their options are read (main.ts registers them): a suite run with its progress. */
import type { AdaptiveDesignSpec } from '../spec/suite-schema.js';
import type { BackendChoice, RunEvent, SuiteStatus } from '../domain.js';
import type { SuiteSource } from '../contract.js';
import { UserError, errorMessage } from '../errors.js';
import { openStore } from '../store/open-store.js';
import { checkWorkerCount } from '../runner/worker-limit.js';
import type { EngineService } from '../service/engine-service.js';
import { loadSuite, suiteSourceFromArgument, type LoadedSuite } from '../spec/load-suite.js';
import { suiteSources } from '../spec/sources.js';
import type { EnqueueOptions } from '../distributed/job-options.js';
import type { WorkBasis } from '../spec/trial-work.js';
import { DistributedSession, connectShared, requirePostgres } from '../distributed/distributed-session.js';
import { nodeForker } from '../runner/worker-process.js';
import { measureWorkerStart } from '../runner/worker-start-time.js';
import { downloadBar } from './download-bar.js';
import { useModelDir } from './model-dir.js';
import { adaptHints, commandLine, detectInvocation } from './invocation.js';
import { checkSuiteArgument } from './did-you-mean.js';
import { ProgressDisplay } from './progress-display.js';
import { estimateLines } from './estimate-lines.js';
import { printSummaryTable } from './tables.js';
import { withService } from './with-service.js';

/** What follow() and report() need of a run's owner: the engine service, or a distributed session. */
type Followed = Pick<EngineService, 'subscribe' | 'getSuite' | 'cancelSuite'>;

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

export interface RunOptions {
  backend: BackendChoice;
  workers?: number;
  db: string;
  distributed?: boolean;
  trialTimeout: number;
  retries: number;
  adaptive?: boolean;
  budget?: number;
  modelDir?: string;
}

export async function runAction(suite: string, options: RunOptions): Promise<void> {
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
}

export interface ResumeOptions {
  db: string;
  workers?: number;
  retryFailed: boolean;
  force: boolean;
  distributed?: boolean;
  trialTimeout: number;
  retries: number;
  modelDir?: string;
}

export async function resumeAction(suiteId: number, options: ResumeOptions): Promise<void> {
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
}
