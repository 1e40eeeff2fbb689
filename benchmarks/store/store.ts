import type {
  BackendChoice,
  EnvironmentInfo,
  EpochRow,
  PretrainRecord,
  SuiteRecord,
  SuiteStatus,
  TrialKey,
  TrialRecord,
  TrialResult,
} from '../domain.js';
import type { SuiteSpec } from '../spec/suite-schema.js';

/** One run of a suite, as it identifies itself when it claims the suite. */
export interface RunOwner {
  /** Fresh for every run: only the run holding it may write the suite's status and its trials' results. */
  token: string;
  host: string;
  /** Kernel boot and PID namespace of the owner ('' where unknown): pids compare only within one scope. */
  scope: string;
  pid: number;
  /** The owner process's start time as its OS counts it, to tell a reused pid. */
  processStart: string;
}

/** The run that holds a suite, with the time (ms since the epoch) of its last heartbeat. */
export interface SuiteOwner extends RunOwner {
  heartbeatAt: number | null;
}

export interface StoredSuite extends SuiteRecord {
  /** Folder that relative paths in the spec resolve against. */
  baseDir: string;
  backendChoice: BackendChoice;
  /** The run that holds the suite while its status is `running`; null otherwise. */
  owner: SuiteOwner | null;
}

/** What `createSuite` stores. */
export interface NewSuite {
  spec: SuiteSpec;
  baseDir: string;
  backendChoice: BackendChoice;
  env: EnvironmentInfo;
  trials: TrialKey[];
  owner: RunOwner;
}

/** How a run gives a suite back (`releaseSuite`). */
export interface SuiteOutcome {
  status: SuiteStatus;
  error?: string | null;
  /** Default: now when `status` ends the suite, else null. */
  finishedAt?: string | null;
}

/** Who runs a trial of a distributed suite: a host, and the process and slot on it ("pid 4242 slot 1"). */
export interface WorkerName {
  host: string;
  name: string;
}

/** A running trial as a lease: the token it runs under, its worker, and its last heartbeat (ms since the epoch). */
export interface TrialLease {
  id: number;
  token: string;
  /** null until its worker's first heartbeat. */
  heartbeatAt: number | null;
  worker: { host: string; name: string } | null;
}

/**
 * Decides whether a recorded owner still runs (see runner/run-owner.ts); the store stays free of process logic.
 * Synchronous on purpose: a store calls it inside its transaction, between reading the holder and writing.
 */
export type OwnerLiveness = (owner: SuiteOwner) => boolean;

/** A write refused because the trial is not running for this run: it is finished (immutable) or another run took it. */
export class TrialNotRunningError extends Error {
  override name = 'TrialNotRunningError';
}

/** A write refused because this run no longer holds the suite (another run took it over with --force). */
export class SuiteNotOwnedError extends Error {
  override name = 'SuiteNotOwnedError';
}

/** The error a suite gets when the run that held it is found gone. */
export const INTERRUPTED = 'interrupted: the process running it stopped; resume it to finish';
/** The error its unfinished trials get. */
export const TRIAL_INTERRUPTED = 'interrupted before it finished';
/** The error a trial gets when the run that was running it stopped before it finished. */
export const TRIAL_CANCELLED = 'cancelled before it finished';

/**
 * All reads and writes of suites, trials, epoch curves, and a distributed run's claims and blobs: the one interface the
 * runner, the service, the CLI, `serve`, the app, export and the workers use. One implementation, `SqlStore`
 * (sql-store.ts), over two databases: `SqliteStore` (sqlite-store.ts, one file, the default) and `PgStore` (a shared
 * PostgreSQL database); `openStore` (open-store.ts) picks one from a location string.
 *
 * The contract every implementation keeps (held against each by test/unit/store/store-contract.test.ts, and for the
 * distributed methods by test/unit/distributed/trial-claims.test.ts and blob-store.test.ts):
 * - A suite is run by at most one run at a time: `claimSuite` takes it atomically, only when no live run holds it
 *   (or with `force`); every later write of the run names its token and is refused once the run lost the suite.
 * - A trial's result and its whole curve are written in one transaction, once: a finished trial (done, diverged,
 *   failed) is immutable; only `resetUnfinishedTrials` with `retryFailed` makes a failed trial pending again.
 * - (suite, approach, train size, seed) is unique: a suite never holds two records of one trial.
 * - Readers never see half-written records: every method is atomic (its own transaction) and either completes or
 *   changes nothing. A storage failure rejects the promise with the driver's error (its `code` kept).
 * - Refusals the user can act on (no such suite, a suite held by another live run) reject with a UserError.
 * - A call in flight when the database goes away (PostgreSQL restarted) rejects with the driver's error and writes
 *   nothing it did not commit; the next call opens a new connection.
 * - Losses that are not finite (a diverged trial's NaN) are stored as null and read back as null (trials) or NaN
 *   (curves, `listEpochs`).
 */
export interface Store {
  /** Where the results are kept, for messages: the SQLite file's path, or the PostgreSQL URL without its password. */
  readonly location: string;

  /** Creates a suite with all its trials `pending`, held by `owner` (status `running`), in one transaction. */
  createSuite(input: NewSuite): Promise<number>;

  /**
   * Takes a suite for a run, atomically (two processes cannot both pass the check): refused with a UserError while
   * another run that `isAlive` holds it, unless `force`; a UserError too when there is no such suite. Returns the
   * suite as it was before, so the caller can tell whom it took over from and give it back as it was
   * (`releaseSuite`).
   */
  claimSuite(id: number, owner: RunOwner, options: { isAlive: OwnerLiveness; force?: boolean }): Promise<StoredSuite>;

  /** Refreshes the run's heartbeat; false when the run no longer holds the suite (taken over). */
  heartbeat(id: number, token: string): Promise<boolean>;

  /**
   * Ends a run's hold on the suite with its final status (or the status it had before, when a resume gave up).
   * Trials the run left `running` become `cancelled`, in the same transaction. False, and nothing written, when the
   * run no longer holds it.
   */
  releaseSuite(id: number, token: string, outcome: SuiteOutcome): Promise<boolean>;

  /**
   * Suites left `running` by a run that is gone (`isAlive` false) become `cancelled` with the error INTERRUPTED
   * (resumable), their running trials too (TRIAL_INTERRUPTED). Each suite is checked again inside its own
   * transaction, so a run that claimed it meanwhile is left alone. Returns the ids it recovered.
   */
  recoverInterruptedSuites(isAlive: OwnerLiveness): Promise<number[]>;

  /** The suite with its trial counts, or undefined. */
  getSuite(id: number): Promise<StoredSuite | undefined>;

  /** The suite with this id, or a UserError that says there is none. */
  requireSuite(id: number): Promise<StoredSuite>;

  /** Every suite, newest (highest id) first. */
  listSuites(): Promise<StoredSuite[]>;

  /** Replaces the suite's recorded environment (versions, platform, CPUs, backend). */
  setSuiteEnv(id: number, env: EnvironmentInfo): Promise<void>;

  /** One record for a single-source suite; for a suite with `sources`, every source's record so far (each names it). */
  setSuitePretrain(id: number, pretrain: PretrainRecord | PretrainRecord[]): Promise<void>;

  /** The suite's trials in id order (the planned order). */
  listTrials(suiteId: number): Promise<TrialRecord[]>;

  /** One trial as stored now, or undefined. */
  getTrial(id: number): Promise<TrialRecord | undefined>;

  /**
   * Takes a pending trial for the run `token`, atomically; false when it is not pending (another run took it). The
   * trial then names no worker (a local run trains it), whatever an earlier distributed attempt recorded.
   */
  markTrialRunning(id: number, token: string): Promise<boolean>;

  /**
   * Refreshes the heartbeat of a trial running for `token` (a worker of a distributed run, while it trains); false
   * when the trial is no longer running for it (handed to another worker, finished by another attempt, cancelled).
   */
  trialHeartbeat(id: number, token: string): Promise<boolean>;

  /** The suite's running trials, each with who holds it and its last heartbeat, to tell the ones whose worker is gone. */
  listTrialLeases(suiteId: number): Promise<TrialLease[]>;

  /**
   * A trial running for `token` becomes pending again (its worker stopped, or went silent), for another worker to
   * take; false, and nothing changed, when it is not running for that token.
   */
  handBackTrial(id: number, token: string): Promise<boolean>;

  /**
   * A trial the run `token` was running stops unfinished (its run was cancelled or could not store it); nothing
   * happens when it is not running for that run.
   */
  markTrialCancelled(id: number, token: string, error?: string): Promise<void>;

  /**
   * Makes every trial that did not finish runnable again, for a `resume` by the run `token` that holds the suite
   * (SuiteNotOwnedError otherwise, nothing changed); with `retryFailed`, failed trials too (their record and curve
   * are removed). Done and diverged trials are never touched.
   */
  resetUnfinishedTrials(suiteId: number, token: string, options?: { retryFailed?: boolean }): Promise<void>;

  /**
   * Adds pending trials to a suite, in the order given (an adaptive suite's next round), for the run `token` that holds
   * it (SuiteNotOwnedError otherwise, nothing added); returns the stored trials it added. A key the suite already has
   * is refused with an Error and nothing is added.
   */
  addTrials(suiteId: number, token: string, keys: readonly TrialKey[]): Promise<TrialRecord[]>;

  /**
   * Writes a trial's result and its whole curve in one transaction, once: only while the trial is `running` for
   * the run `token`. Otherwise (finished already, or taken by another run) rejects with TrialNotRunningError and
   * writes nothing; of two writers racing on one trial exactly one succeeds. A storage error (e.g. a full disk)
   * also writes nothing and leaves the trial `running`.
   */
  finishTrial(id: number, token: string, result: TrialResult): Promise<void>;

  /** The curves of a suite's trials (optionally of one training-set size), by trial id then epoch. */
  listEpochs(suiteId: number, trainSize?: number): Promise<EpochRow[]>;

  // Distributed runs (benchmarks/distributed/): a worker's claim on a trial, source models, blobs.

  /**
   * A worker takes a trial for the queue job `token` (the same for every attempt of that job), counting an attempt
   * unless `countAttempt` is false: a pending trial, or one running for the same job (the queue handed the job out
   * again after its expiry); only while the suite runs, and, with `runToken`, only while that run (the one that
   * enqueued the job) holds it. Records the worker; returns the attempt number, or null when it is not to be run.
   */
  claimTrialForJob(
    id: number,
    token: string,
    worker: WorkerName,
    options?: { countAttempt?: boolean; runToken?: string },
  ): Promise<number | null>;

  /** Names `worker` as the one that ran the trial (after its result was written: a later attempt may have claimed it). */
  recordTrialWorker(id: number, worker: WorkerName): Promise<void>;

  /** The blob of a source model pretrained for `cacheKey` (by a worker, or uploaded from a machine's cache), if any. */
  findPretrained(cacheKey: string): Promise<{ blobHash: string; recordJson: string } | null>;

  /** Records the source model pretrained for `cacheKey`; the first record is kept. */
  recordPretrained(cacheKey: string, blobHash: string, recordJson: string): Promise<void>;

  hasBlob(hash: string): Promise<boolean>;

  /**
   * Stores `bytes` under their SHA-256 (hex) unless that blob is there, in chunks of BLOB_CHUNK_BYTES written in one
   * transaction with the blob's row, so a reader finds the whole blob or none of it. Of several processes storing
   * the same bytes at once, one uploads and the others find it there (`uploaded` false).
   */
  putBlob(bytes: Uint8Array): Promise<{ hash: string; uploaded: boolean }>;

  /** The blob's bytes, checked against its hash; rejects when there is no such blob or its copy is damaged. */
  getBlob(hash: string): Promise<Buffer>;

  /** Closes the database (the pool's connections); the store is unusable afterwards. */
  close(): Promise<void>;
}

/** "process 123 on host box, last heartbeat 3 s ago", for messages. */
export function describeOwner(owner: SuiteOwner): string {
  const beat =
    owner.heartbeatAt === null
      ? 'no heartbeat'
      : `last heartbeat ${Math.max(0, Math.round((Date.now() - owner.heartbeatAt) / 1000))} s ago`;
  return `process ${owner.pid} on host ${owner.host || 'unknown'}, ${beat}`;
}
