import type { BuiltinSuiteInfo, ContractHandlers } from '../contract.js';
import { BusyError, UserError } from '../errors.js';
import { exportCsvFiles } from '../export/csv-export.js';
import type { SuiteRun } from '../runner/suite-runner.js';
import { planTrials } from '../runner/plan-trials.js';
import { withDesign } from '../design/suite-design.js';
import type { EngineEventListener } from '../domain.js';
import { nodeForker, type WorkerForker } from '../runner/worker-process.js';
import { describeArchitecture } from '../spec/describe-architecture.js';
import { chromiumGpuWorkers } from '../gpu/chromium-workers.js';
import { withGpuWorkers, type GpuWorkers } from '../gpu/gpu-forker.js';
import { environmentProbe } from './environment.js';
import { builtinSuiteNames, loadSuite } from '../spec/load-suite.js';
import { loadSuiteUnderRoots, underRoots } from './data-roots.js';
import { downloadEvents } from './download-events.js';
import { openStore } from '../store/open-store.js';
import { isPostgresUrl } from '../store/location.js';
import { INTERRUPTED, TRIAL_INTERRUPTED, type Store, type StoredSuite } from '../store/store.js';
import { ownerLooksAlive, recoverInterruptedSuites } from '../runner/run-owner.js';
import { checkWorkerCount, maxWorkers } from '../runner/worker-limit.js';
import type { SuiteRecord, TrialRecord } from '../domain.js';
import { suiteAnalysis, suiteDesign, suiteReport } from './suite-answer.js';
import { comparisonCsv, comparisonReport, suiteComparison } from './suite-comparison.js';

/** How the service starts a worker process; Electron passes its utility-process forker. */
export type { WorkerForker };

export interface EngineService extends ContractHandlers {
  subscribe(listener: EngineEventListener): () => void;
  /** Warnings meant for the user that do not stop a request (e.g. a suite taken over with force). */
  onNotice(listener: (message: string) => void): () => void;
  /** Cancels running suites (finished trials are kept) and closes the store. */
  close(): Promise<void>;
}

export interface EngineServiceOptions {
  /** Where the results are kept: an SQLite file path (see store/open-store.ts). */
  dbPath: string;
  forkWorker?: WorkerForker;
  /**
   * The shell's GPU workers (the app: hidden windows); default: pages of the system Chromium. Their probe is what
   * getEnvironment reports; without `forkWorker`, webgpu/webgl (and auto on a hardware GPU) trials run in them.
   */
  gpuWorkers?: GpuWorkers;
  /** better_sqlite3.node built for this runtime (Electron). */
  nativeBinding?: string;
  /**
   * When given (`serve` reachable from other machines, or `--data-root`), suites that arrive as a file or as text
   * read their suite file and data only under these folders. Built-in suites keep their own data.
   */
  dataRoots?: readonly string[];
  /** Open the database only to read (list, export, report): nothing is written; runs are refused by the database. */
  readonly?: boolean;
  /**
   * On a PostgreSQL database, pass on to subscribers the progress the workers of distributed runs announce for suites
   * this service does not run (`serve`: a distributed run shows live). Off for the CLI's own commands, which follow
   * only their run.
   */
  followSharedRuns?: boolean;
}

/**
 * Suites one engine runs at once, at most (each with up to a worker process per core): a start or resume beyond it is
 * refused as busy (`serve` answers 503), so that requests cannot pile up runs that exhaust the machine.
 */
export const MAX_CONCURRENT_RUNS = 4;

/**
 * The engine behind every UI: the one implementation of the contract, over one store. Rejects with a UserError when
 * the store cannot be opened (nothing is written then).
 */
export async function createEngineService(options: EngineServiceOptions): Promise<EngineService> {
  const store = await openStore(options.dbPath, {
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  /** Suites whose run is gone (e.g. a CLI run killed while the app is open) become resumable as soon as they are read. */
  const refresh = async () => {
    if (!options.readonly) await recoverInterruptedSuites(store);
  };
  try {
    await refresh();
  } catch (error) {
    await store.close();
    throw error;
  }
  /**
   * A suite as the UI sees it: without its owner's identity (token, host, pid stay in the engine). Read-only, a
   * suite whose run is gone cannot be recovered in the database, so it is shown as recovery will store it.
   */
  const present = (stored: StoredSuite, trials: TrialRecord[] = []): { suite: SuiteRecord; trials: TrialRecord[] } => {
    const { owner, ...suite } = stored;
    if (stored.status !== 'running' || (owner && ownerLooksAlive(owner))) return { suite, trials };
    return {
      suite: { ...suite, status: 'cancelled', error: INTERRUPTED },
      trials: trials.map((t) => (t.status === 'running' ? { ...t, status: 'cancelled', error: TRIAL_INTERRUPTED } : t)),
    };
  };
  // webgpu/webgl workers (and auto on a hardware GPU) train in a headless Chromium page; Electron passes its own.
  const gpuWorkers = options.gpuWorkers ?? chromiumGpuWorkers;
  const forkWorker = options.forkWorker ?? withGpuWorkers(nodeForker, gpuWorkers);
  const environment = environmentProbe(gpuWorkers);
  const listeners = new Set<EngineEventListener>();
  const runs = new Map<number, SuiteRun>();
  const emit: EngineEventListener = (event) => listeners.forEach((listener) => listener(event));
  // a catalogue model's first use (a draft, or a suite started naming it) downloads it: its progress goes to the UI
  const onModelDownload = downloadEvents(emit);
  // On a shared PostgreSQL, the workers of a distributed run announce their progress (LISTEN/NOTIFY): passed on for
  // the suites this service does not run itself, so a distributed run shows live (the UI also reloads quiet runs).
  const shared =
    options.followSharedRuns && isPostgresUrl(options.dbPath)
      ? (await import('../distributed/progress-channel.js')).listenProgress(options.dbPath, null, (event) => {
          if (!runs.has(event.suiteId)) emit(event);
        })
      : null;

  const track = (run: SuiteRun): { suiteId: number } => {
    runs.set(run.suiteId, run);
    void run.finished.finally(() => {
      if (runs.get(run.suiteId) === run) runs.delete(run.suiteId);
    });
    return { suiteId: run.suiteId };
  };
  /** Starts and resumes in progress (not yet in `runs`), counted against MAX_CONCURRENT_RUNS with the runs. */
  let starting = 0;
  const admitted = async <T>(begin: () => Promise<T>): Promise<T> => {
    const busy = runs.size + starting;
    if (busy >= MAX_CONCURRENT_RUNS) {
      throw new BusyError(
        `${busy} suites are running here already (at most ${MAX_CONCURRENT_RUNS} at once, each with up to a worker per core): wait for one to finish, or cancel one`,
      );
    }
    starting++;
    try {
      return await begin();
    } finally {
      starting--;
    }
  };
  /** Messages for the user that are not errors (a forced take-over); the CLI prints them. */
  const notices = new Set<(message: string) => void>();

  return {
    listBuiltinSuites: async () =>
      builtinSuiteNames().map((name): BuiltinSuiteInfo => {
        const { spec } = loadSuite({ kind: 'builtin', name });
        return {
          name,
          description: spec.description,
          architecture: describeArchitecture(spec.architecture),
          sizes: spec.sizes,
          seeds: spec.seeds,
          approaches: Object.keys(spec.approaches),
          trials: planTrials(spec).length,
        };
      }),
    getLimits: async () => ({ maxWorkers: maxWorkers() }),
    getEnvironment: async () => environment(),
    listSuites: async () => {
      await refresh();
      return (await store.listSuites()).map((suite) => present(suite).suite);
    },
    getSuite: async ({ suiteId }) => {
      await refresh();
      const suite = await store.requireSuite(suiteId);
      return present(suite, await store.listTrials(suiteId));
    },
    getEpochs: async ({ suiteId, trainSize }) => {
      await store.requireSuite(suiteId);
      return store.listEpochs(suiteId, trainSize);
    },
    startSuite: async ({ source, backend, workers, design }) => {
      const roots = options.dataRoots;
      const start = async () => {
        const { SuiteRun } = await import('../runner/suite-runner.js');
        const loaded = roots ? loadSuiteUnderRoots(source, roots) : loadSuite(source);
        const suite = design ? { ...loaded, spec: withDesign(loaded.spec, design) } : loaded;
        return track(
          await SuiteRun.start({ store, forkWorker, backend, workers, onEvent: emit, onModelDownload }, suite),
        );
      };
      return admitted(() => (roots ? underRoots(roots, start) : start()));
    },
    cancelSuite: async ({ suiteId }) => {
      const run = runs.get(suiteId);
      if (!run) return { cancelled: false };
      run.cancel();
      await run.finished;
      return { cancelled: true };
    },
    resumeSuite: async ({ suiteId, workers, force, retryFailed }) => {
      // A run of this suite in this process is refused even with force: cancel it instead. Runs in other processes
      // are refused by the store's atomic claim (SuiteRun.resume), which also covers two requests at once here.
      checkWorkerCount(workers);
      if (runs.has(suiteId)) throw new UserError(`suite ${suiteId} is already running here; cancel that run first`);
      const { backendChoice: backend } = await store.requireSuite(suiteId);
      // on a shared database, the jobs a distributed run of this suite left in the queue are cancelled first
      const queued = await queuedJobsCanceller(store);
      const { SuiteRun } = await import('../runner/suite-runner.js');
      const run = await admitted(() =>
        SuiteRun.resume({ store, forkWorker, backend, workers, onEvent: emit, onModelDownload, ...queued }, suiteId, {
          force,
          retryFailed,
          onTakeOver: (message) => notices.forEach((notice) => notice(message)),
        }),
      );
      return track(run);
    },
    exportCsv: async ({ suiteId }) => ({ files: await exportCsvFiles(store, suiteId) }),
    getAnalysis: async ({ suiteId, tolerance }) => suiteAnalysis(store, suiteId, tolerance),
    getDesign: async ({ suiteId }) => suiteDesign(store, suiteId),
    getReport: async ({ suiteId, format, tolerance }) => suiteReport(store, suiteId, format, tolerance),
    draftSuite: async (request) =>
      (await drafts()).draftSuiteFor(request, options.dataRoots, onModelDownload, forkWorker),
    compareSuites: async (request) => suiteComparison(store, request, (stored) => present(stored).suite),
    getCompareReport: async (request) => comparisonReport(store, request, (stored) => present(stored).suite),
    exportComparisonCsv: async (request) => ({
      files: await comparisonCsv(store, request, (stored) => present(stored).suite),
    }),
    estimateSuite: async (request) => (await drafts()).estimateDraft(request),
    estimateBuiltinSuite: async (request) => (await drafts()).estimateBuiltin(request, forkWorker),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onNotice: (listener) => {
      notices.add(listener);
      return () => notices.delete(listener);
    },
    close: async () => {
      const pending = [...runs.values()];
      pending.forEach((run) => run.cancel());
      await Promise.allSettled(pending.map((run) => run.finished));
      await shared?.close();
      await store.close();
    },
  };
}

/** The draft builder (TensorFlow.js, sharp), loaded when a draft or an estimate is asked for. */
const drafts = () => import('./draft-suite.js');

/**
 * On a shared PostgreSQL database, what cancels the jobs a distributed run of a suite left in the queue; nothing on
 * SQLite. The PostgreSQL modules load only here, so commands on SQLite do not load them.
 */
async function queuedJobsCanceller(store: Store): Promise<{ cancelQueuedJobs?: (suiteId: number) => Promise<number> }> {
  if (!isPostgresUrl(store.location)) return {};
  const { PgStore } = await import('../store/pg-store.js');
  if (!(store instanceof PgStore)) return {};
  const { cancelQueuedJobs } = await import('../distributed/trial-queue.js');
  return { cancelQueuedJobs: (suiteId) => cancelQueuedJobs(store.pool, suiteId) };
}
