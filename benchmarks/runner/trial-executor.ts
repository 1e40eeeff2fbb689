import type { BackendInfo } from '../backend/select-backend.js';
import type { PretrainRecord, RunEvent, SuiteStatus, TrialRecord } from '../domain.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import type { RunOwner, Store } from '../store/store.js';
import type { SourcePlan } from './source-plan.js';

/**
 * What a suite run (runner/suite-runner.ts, SuiteRun) lends its executor: the suite it holds, and the run's own ways
 * of storing pretraining records, sending events and stopping. The run owns the lifecycle (claim, heartbeat, rounds,
 * end, take-over, cancel); the executor trains what it is handed.
 */
export interface RunContext {
  readonly suiteId: number;
  readonly suite: LoadedSuite;
  readonly owner: RunOwner;
  /** Per source: its view of the suite and its pretraining cache key (planSources). */
  readonly sources: SourcePlan[];
  readonly store: Store;
  emit(event: RunEvent): void;
  /** Lines worth telling the user that are not events (e.g. the database is unreachable for a while). */
  notice(message: string): void;
  /**
   * Stores the record of a source model now known, with those known before, as the suite's pretraining (one record
   * for a single-source suite, the list in the suite's order of sources otherwise); a failed write is a StorageError.
   */
  recordPretrain(plan: SourcePlan, record: PretrainRecord): Promise<void>;
  /** Stops the run for a reason other than a cancel (a result it cannot store); unfinished trials stay resumable. */
  stop(reason: Error): void;
  /** The suite was taken over by another run: this one stops and writes nothing more. */
  lose(): void;
  /** Cancelled or stopped: start nothing more. */
  readonly stopping: boolean;
}

/**
 * How a suite's trials are trained: in local worker processes (runner/local-executor.ts) or by the workers of a
 * PostgreSQL queue (distributed/queue-executor.ts). Each trial handed to `runRound` ends stored as finished (done or
 * failed, with who trained it), or unfinished and resumable when the run stops.
 */
export interface TrialExecutor {
  /**
   * Loads the backend and checks the suite's inputs (datasets, sizes, model) before anything is stored: bad input
   * throws a UserError. Returns the backend (recorded in the suite's environment), lines about the data, and the
   * suite's sources when it planned them already (planSources reads the source data files: once per run).
   * `trialsToRun`: how many trials the run is about to train (a local executor starts that many worker processes at
   * most, and starts them now, alongside the first one, rather than when the trials start).
   */
  prepare(
    suite: LoadedSuite,
    trialsToRun: number,
  ): Promise<{ backend: BackendInfo; notices: string[]; sources?: SourcePlan[] }>;
  /**
   * On resume, once the suite is claimed and before its unfinished trials are reset: cancels the jobs a distributed
   * run of it left in the queue (it was killed, or is being taken over); returns how many.
   */
  cancelEarlierJobs(suiteId: number): Promise<number>;
  /** Once, before the first round: the source models, pretrained (or found made) and recorded, or set going. */
  pretrain(run: RunContext): Promise<void>;
  /** Trains these pending trials; resolves once each is finished, or the run stops. Throws what fails the suite. */
  runRound(run: RunContext, trials: TrialRecord[]): Promise<void>;
  /** The run is cancelled or stops: what is training stops now. */
  halt(): void;
  /** After the last round, before the suite's end is stored: what the executor leaves behind (queued jobs). */
  end(run: RunContext, status: SuiteStatus): Promise<void>;
  /** How many more times the suite's end is written when a write fails, and how long apart (a shared database away). */
  readonly endRetries: { retries: number; delayMs: number };
  /** Frees what it holds (worker processes, listeners); called once, at the end or when the start fails. */
  close(): Promise<void>;
}
