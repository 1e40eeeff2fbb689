import type Database from 'better-sqlite3';
import {
  FINISHED_TRIAL_STATUSES,
  isSuiteEnded,
  type BackendChoice,
  type EnvironmentInfo,
  type EpochRecord,
  type PretrainRecord,
  type SuiteRecord,
  type SuiteStatus,
  type TrialKey,
  type TrialRecord,
  type TrialResult,
  type TrialStatus,
} from '../domain.js';
import type { EpochRow, LearningRateCandidate, TrialProtocol } from '../domain.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { UserError } from '../errors.js';

interface SuiteRow {
  id: number;
  name: string;
  status: SuiteStatus;
  spec_json: string;
  base_dir: string;
  backend_choice: string;
  env_json: string;
  pretrain_json: string | null;
  runner_pid: number | null;
  owner_token: string | null;
  owner_host: string | null;
  owner_scope: string | null;
  owner_process_start: string | null;
  heartbeat_at: number | null;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  trials_total: number;
  trials_finished: number;
}

interface TrialRow {
  id: number;
  suite_id: number;
  approach: TrialRecord['approach'];
  train_size: number;
  seed: number;
  status: TrialStatus;
  test_accuracy: number | null;
  test_loss: number | null;
  epochs: number | null;
  best_epoch: number | null;
  steps: number | null;
  wall_seconds: number | null;
  trainable_params: number | null;
  total_params: number | null;
  train_flops: number | null;
  peak_bytes: number | null;
  learning_rate: number | null;
  lr_candidates_json: string | null;
  protocol_json: string | null;
  backend: TrialRecord['backend'];
  device: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

interface EpochDbRow {
  trial_id: number;
  approach: TrialRecord['approach'];
  train_size: number;
  seed: number;
  epoch: number;
  step: number;
  train_loss: number | null;
  train_accuracy: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  elapsed_seconds: number;
}

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

/** Decides whether a recorded owner still runs (see runner/run-owner.ts); the store stays free of process logic. */
export type OwnerLiveness = (owner: SuiteOwner) => boolean;

/** A write refused because the trial is not running for this run: it is finished (immutable) or another run took it. */
export class TrialNotRunningError extends Error {
  override name = 'TrialNotRunningError';
}

/** A write refused because this run no longer holds the suite (another run took it over with --force). */
export class SuiteNotOwnedError extends Error {
  override name = 'SuiteNotOwnedError';
}

const now = (): string => new Date().toISOString();
/** SQLite has no NaN: a diverged loss is stored as NULL. */
const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);
/** The error a suite gets when the run that held it is found gone. */
export const INTERRUPTED = 'interrupted: the process running it stopped; resume it to finish';
/** The error its unfinished trials get. */
export const TRIAL_INTERRUPTED = 'interrupted before it finished';

/** An SQL list of our own constant status names (never of user input). */
const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
const FINISHED = sqlList(FINISHED_TRIAL_STATUSES);
const SUITE_COLUMNS = `s.*,
  (SELECT COUNT(*) FROM trials t WHERE t.suite_id = s.id) AS trials_total,
  (SELECT COUNT(*) FROM trials t WHERE t.suite_id = s.id AND t.status IN (${FINISHED})) AS trials_finished`;

/**
 * All reads and writes of suites, trials and epoch curves. The contract every implementation keeps (SQLite here):
 * - A suite is run by at most one run at a time: `claimSuite` takes it atomically, only when no live run holds it
 *   (or with `force`); every later write of the run names its token and is refused once the run lost the suite.
 * - A trial's result and its whole curve are written in one transaction, once: a finished trial (done, diverged,
 *   failed) is immutable; only `resetUnfinishedTrials` with `retryFailed` makes a failed trial pending again.
 * - Readers never see half-written records. Every method is synchronous and runs in its own transaction.
 */
export class ResultStore {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      insertSuite: db.prepare(
        `INSERT INTO suites (name, status, spec_json, base_dir, backend_choice, env_json, created_at)
         VALUES (@name, 'pending', @spec, @baseDir, @backendChoice, @env, @createdAt)`,
      ),
      claimSuite: db.prepare(
        `UPDATE suites SET status = 'running', finished_at = NULL, error = NULL, runner_pid = @pid,
           owner_token = @token, owner_host = @host, owner_scope = @scope, owner_process_start = @processStart,
           heartbeat_at = @now
         WHERE id = @id`,
      ),
      releaseSuite: db.prepare(
        `UPDATE suites SET status = @status, finished_at = @finishedAt, error = @error, runner_pid = NULL,
           owner_token = NULL, owner_host = NULL, owner_scope = NULL, owner_process_start = NULL, heartbeat_at = NULL
         WHERE id = @id AND owner_token = @token`,
      ),
      heartbeat: db.prepare(`UPDATE suites SET heartbeat_at = @now WHERE id = @id AND owner_token = @token`),
      interruptSuite: db.prepare(
        `UPDATE suites SET status = 'cancelled', finished_at = @now, error = @error, runner_pid = NULL,
           owner_token = NULL, owner_host = NULL, owner_scope = NULL, owner_process_start = NULL, heartbeat_at = NULL
         WHERE id = @id`,
      ),
      insertTrial: db.prepare(
        `INSERT INTO trials (suite_id, approach, train_size, seed, status) VALUES (@suiteId, @approach, @trainSize, @seed, 'pending')`,
      ),
      suiteById: db.prepare(`SELECT ${SUITE_COLUMNS} FROM suites s WHERE s.id = ?`),
      allSuites: db.prepare(`SELECT ${SUITE_COLUMNS} FROM suites s ORDER BY s.id DESC`),
      setSuiteEnv: db.prepare(`UPDATE suites SET env_json = @env WHERE id = @id`),
      setSuitePretrain: db.prepare(`UPDATE suites SET pretrain_json = @pretrain WHERE id = @id`),
      trialsOfSuite: db.prepare(`SELECT * FROM trials WHERE suite_id = ? ORDER BY id`),
      trialById: db.prepare(`SELECT * FROM trials WHERE id = ?`),
      markTrialRunning: db.prepare(
        `UPDATE trials SET status = 'running', run_token = @token, started_at = @startedAt, error = NULL
         WHERE id = @id AND status = 'pending'`,
      ),
      cancelTrial: db.prepare(
        `UPDATE trials SET status = 'cancelled', run_token = NULL, error = @error
         WHERE id = @id AND status = 'running' AND run_token = @token`,
      ),
      cancelRunningTrials: db.prepare(
        `UPDATE trials SET status = 'cancelled', run_token = NULL, error = @error WHERE suite_id = @suiteId AND status = 'running'`,
      ),
      deleteUnfinishedEpochs: db.prepare(
        `DELETE FROM epochs WHERE trial_id IN
           (SELECT id FROM trials WHERE suite_id = @suiteId AND (status NOT IN (${FINISHED}) OR (@retryFailed AND status = 'failed')))`,
      ),
      resetUnfinished: db.prepare(
        `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL, error = NULL,
           test_accuracy = NULL, test_loss = NULL, epochs = NULL, best_epoch = NULL, steps = NULL, wall_seconds = NULL,
           trainable_params = NULL, total_params = NULL, train_flops = NULL, peak_bytes = NULL, backend = NULL,
           learning_rate = NULL, lr_candidates_json = NULL, protocol_json = NULL,
           device = NULL, finished_at = NULL
         WHERE suite_id = @suiteId AND (status NOT IN (${FINISHED}) OR (@retryFailed AND status = 'failed'))`,
      ),
      deleteEpochs: db.prepare(`DELETE FROM epochs WHERE trial_id = ?`),
      finishTrial: db.prepare(
        `UPDATE trials SET status = @status, test_accuracy = @testAccuracy, test_loss = @testLoss, epochs = @epochs,
           best_epoch = @bestEpoch, steps = @steps, wall_seconds = @wallSeconds, trainable_params = @trainableParams,
           total_params = @totalParams, train_flops = @trainFlops, peak_bytes = @peakBytes, backend = @backend,
           learning_rate = @learningRate, lr_candidates_json = @lrCandidates, protocol_json = @protocol, device = @device, error = @error, finished_at = @finishedAt, run_token = NULL
         WHERE id = @id AND status = 'running' AND run_token = @token`,
      ),
      insertEpoch: db.prepare(
        `INSERT INTO epochs (trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, elapsed_seconds)
         VALUES (@trialId, @epoch, @step, @trainLoss, @trainAccuracy, @valLoss, @valAccuracy, @elapsedSeconds)`,
      ),
      epochsOfSuite: db.prepare(
        `SELECT e.*, t.approach, t.train_size, t.seed FROM epochs e JOIN trials t ON t.id = e.trial_id
         WHERE t.suite_id = @suiteId AND (@trainSize IS NULL OR t.train_size = @trainSize)
         ORDER BY t.id, e.epoch`,
      ),
    };
  }

  /** Creates a suite with all its trials `pending`, held by `owner` (status `running`), in one transaction. */
  createSuite(input: {
    spec: SuiteSpec;
    baseDir: string;
    backendChoice: BackendChoice;
    env: EnvironmentInfo;
    trials: TrialKey[];
    owner: RunOwner;
  }): number {
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.stmt.insertSuite.run({
        name: input.spec.name,
        spec: JSON.stringify(input.spec),
        baseDir: input.baseDir,
        backendChoice: input.backendChoice,
        env: JSON.stringify(input.env),
        createdAt: now(),
      });
      const suiteId = Number(lastInsertRowid);
      for (const key of input.trials) this.stmt.insertTrial.run({ suiteId, ...key });
      this.stmt.claimSuite.run({ id: suiteId, ...input.owner, now: Date.now() });
      return suiteId;
    })();
  }

  /**
   * Takes a suite for a run, atomically (one IMMEDIATE transaction: two processes cannot both pass the check):
   * refused with a UserError while another run that `isAlive` holds it, unless `force`. Returns the suite as it was
   * before, so the caller can tell whom it took over from and give the suite back as it was (`releaseSuite`).
   */
  claimSuite(id: number, owner: RunOwner, options: { isAlive: OwnerLiveness; force?: boolean }): StoredSuite {
    return this.db
      .transaction(() => {
        const before = this.requireSuite(id);
        const holder = before.status === 'running' ? before.owner : null;
        if (holder && holder.token !== owner.token && options.isAlive(holder) && !options.force) {
          throw new UserError(
            `suite ${id} is already being run (${describeOwner(holder)}); cancel that run first, or take it over with \`transfer-bench resume ${id} --force\` if it is stuck`,
          );
        }
        this.stmt.claimSuite.run({ id, ...owner, now: Date.now() });
        return before;
      })
      .immediate();
  }

  /** Refreshes the run's heartbeat; false when the run no longer holds the suite (taken over). */
  heartbeat(id: number, token: string): boolean {
    return this.stmt.heartbeat.run({ id, token, now: Date.now() }).changes === 1;
  }

  /**
   * Ends a run's hold on the suite with its final status (or the status it had before, when a resume gave up).
   * Trials the run left `running` become `cancelled`. False, and nothing written, when the run no longer holds it.
   */
  releaseSuite(
    id: number,
    token: string,
    outcome: { status: SuiteStatus; error?: string | null; finishedAt?: string | null },
  ): boolean {
    return this.db.transaction(() => {
      const changed = this.stmt.releaseSuite.run({
        id,
        token,
        status: outcome.status,
        error: outcome.error ?? null,
        finishedAt: outcome.finishedAt !== undefined ? outcome.finishedAt : isSuiteEnded(outcome.status) ? now() : null,
      }).changes;
      if (changed === 1) this.stmt.cancelRunningTrials.run({ suiteId: id, error: 'cancelled before it finished' });
      return changed === 1;
    })();
  }

  /**
   * Suites left `running` by a run that is gone become `cancelled` (resumable), their running trials too.
   * Each suite is checked again inside its own IMMEDIATE transaction. Returns the ids it recovered.
   */
  recoverInterruptedSuites(isAlive: OwnerLiveness): number[] {
    const recovered: number[] = [];
    for (const { id, status } of this.listSuites()) {
      if (status !== 'running') continue;
      const done = this.db
        .transaction(() => {
          const suite = this.getSuite(id);
          if (suite?.status !== 'running' || (suite.owner && isAlive(suite.owner))) return false;
          this.stmt.cancelRunningTrials.run({ suiteId: id, error: TRIAL_INTERRUPTED });
          this.stmt.interruptSuite.run({
            id,
            now: now(),
            error: INTERRUPTED,
          });
          return true;
        })
        .immediate();
      if (done) recovered.push(id);
    }
    return recovered;
  }

  /** Where the results are kept, for messages (the database file). */
  get location(): string {
    return this.db.name;
  }

  getSuite(id: number): StoredSuite | undefined {
    const row = this.stmt.suiteById.get(id) as SuiteRow | undefined;
    return row && toSuite(row);
  }

  /** The suite with this id, or a UserError that says so. */
  requireSuite(id: number): StoredSuite {
    const suite = this.getSuite(id);
    if (!suite) throw new UserError(`no suite with id ${id} in this database (see \`transfer-bench list\`)`);
    return suite;
  }

  listSuites(): StoredSuite[] {
    return (this.stmt.allSuites.all() as SuiteRow[]).map(toSuite);
  }

  setSuiteEnv(id: number, env: EnvironmentInfo): void {
    this.stmt.setSuiteEnv.run({ id, env: JSON.stringify(env) });
  }

  setSuitePretrain(id: number, pretrain: PretrainRecord): void {
    this.stmt.setSuitePretrain.run({ id, pretrain: JSON.stringify(pretrain) });
  }

  listTrials(suiteId: number): TrialRecord[] {
    return (this.stmt.trialsOfSuite.all(suiteId) as TrialRow[]).map(toTrial);
  }

  getTrial(id: number): TrialRecord | undefined {
    const row = this.stmt.trialById.get(id) as TrialRow | undefined;
    return row && toTrial(row);
  }

  /** Takes a pending trial for the run `token`; false when it is not pending (another run took it). */
  markTrialRunning(id: number, token: string): boolean {
    return this.stmt.markTrialRunning.run({ id, token, startedAt: now() }).changes === 1;
  }

  /** A trial the run `token` was running stops unfinished (its run was cancelled or could not store it). */
  markTrialCancelled(id: number, token: string, error = 'cancelled before it finished'): void {
    this.stmt.cancelTrial.run({ id, token, error });
  }

  /**
   * Makes every trial that did not finish runnable again, for a `resume` by the run `token` that holds the suite;
   * with `retryFailed`, failed trials too (their record and curve are removed). Done and diverged trials are never
   * touched.
   */
  resetUnfinishedTrials(suiteId: number, token: string, options: { retryFailed?: boolean } = {}): void {
    this.db.transaction(() => {
      if (this.getSuite(suiteId)?.owner?.token !== token) {
        throw new SuiteNotOwnedError(`suite ${suiteId} is not held by this run`);
      }
      const params = { suiteId, retryFailed: options.retryFailed ? 1 : 0 };
      this.stmt.deleteUnfinishedEpochs.run(params);
      this.stmt.resetUnfinished.run(params);
    })();
  }

  /**
   * Writes a trial's result and its whole curve in one transaction, once: only while the trial is `running` for
   * the run `token`. Otherwise (finished already, or taken by another run) throws TrialNotRunningError and writes
   * nothing. A storage error (e.g. SQLITE_FULL) also writes nothing and leaves the trial `running`.
   */
  finishTrial(id: number, token: string, result: TrialResult): void {
    this.db.transaction(() => {
      const changed = this.stmt.finishTrial.run({
        id,
        token,
        status: result.status,
        testAccuracy: finite(result.testAccuracy),
        testLoss: finite(result.testLoss),
        epochs: result.epochs,
        bestEpoch: result.bestEpoch,
        steps: result.steps,
        wallSeconds: result.wallSeconds,
        trainableParams: result.trainableParams,
        totalParams: result.totalParams,
        trainFlops: result.trainFlops,
        peakBytes: result.peakBytes,
        learningRate: result.learningRate,
        lrCandidates: result.lrCandidates.length > 0 ? JSON.stringify(result.lrCandidates) : null,
        protocol: result.protocol ? JSON.stringify(result.protocol) : null,
        backend: result.backend,
        device: result.device,
        error: result.error,
        finishedAt: now(),
      }).changes;
      if (changed !== 1) {
        throw new TrialNotRunningError(
          `trial ${id} is not running for this run (finished already, or taken by another run): its result is not written again`,
        );
      }
      this.stmt.deleteEpochs.run(id);
      for (const e of result.epochRecords) this.insertEpoch(id, e);
    })();
  }

  private insertEpoch(trialId: number, e: EpochRecord): void {
    this.stmt.insertEpoch.run({
      trialId,
      epoch: e.epoch,
      step: e.step,
      trainLoss: finite(e.trainLoss),
      trainAccuracy: finite(e.trainAccuracy),
      valLoss: finite(e.valLoss),
      valAccuracy: finite(e.valAccuracy),
      elapsedSeconds: e.elapsedSeconds,
    });
  }

  listEpochs(suiteId: number, trainSize?: number): EpochRow[] {
    const rows = this.stmt.epochsOfSuite.all({ suiteId, trainSize: trainSize ?? null }) as EpochDbRow[];
    return rows.map((r) => ({
      trialId: r.trial_id,
      approach: r.approach,
      trainSize: r.train_size,
      seed: r.seed,
      epoch: r.epoch,
      step: r.step,
      trainLoss: r.train_loss ?? Number.NaN,
      trainAccuracy: r.train_accuracy ?? Number.NaN,
      valLoss: r.val_loss ?? Number.NaN,
      valAccuracy: r.val_accuracy ?? Number.NaN,
      elapsedSeconds: r.elapsed_seconds,
    }));
  }
}

function toSuite(row: SuiteRow): StoredSuite {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    spec: JSON.parse(row.spec_json) as SuiteSpec,
    env: JSON.parse(row.env_json) as EnvironmentInfo,
    pretrain: row.pretrain_json === null ? null : (JSON.parse(row.pretrain_json) as PretrainRecord),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: row.error,
    trialsTotal: row.trials_total,
    trialsFinished: row.trials_finished,
    baseDir: row.base_dir,
    backendChoice: row.backend_choice as BackendChoice,
    owner: toOwner(row),
  };
}

/** The holder of a suite; a suite left `running` by a version before owners were recorded has one with no heartbeat. */
function toOwner(row: SuiteRow): SuiteOwner | null {
  if (row.status !== 'running') return null;
  return {
    token: row.owner_token ?? '',
    host: row.owner_host ?? '',
    scope: row.owner_scope ?? '',
    pid: row.runner_pid ?? 0,
    processStart: row.owner_process_start ?? '',
    heartbeatAt: row.heartbeat_at,
  };
}

/** "process 123 on host box, last heartbeat 3 s ago", for messages. */
export function describeOwner(owner: SuiteOwner): string {
  const beat =
    owner.heartbeatAt === null
      ? 'no heartbeat'
      : `last heartbeat ${Math.max(0, Math.round((Date.now() - owner.heartbeatAt) / 1000))} s ago`;
  return `process ${owner.pid} on host ${owner.host || 'unknown'}, ${beat}`;
}

function toTrial(row: TrialRow): TrialRecord {
  return {
    id: row.id,
    suiteId: row.suite_id,
    approach: row.approach,
    trainSize: row.train_size,
    seed: row.seed,
    status: row.status,
    testAccuracy: row.test_accuracy,
    testLoss: row.test_loss,
    epochs: row.epochs,
    bestEpoch: row.best_epoch,
    steps: row.steps,
    wallSeconds: row.wall_seconds,
    trainableParams: row.trainable_params,
    totalParams: row.total_params,
    trainFlops: row.train_flops,
    peakBytes: row.peak_bytes,
    learningRate: row.learning_rate,
    lrCandidates: row.lr_candidates_json ? (JSON.parse(row.lr_candidates_json) as LearningRateCandidate[]) : [],
    protocol: row.protocol_json ? (JSON.parse(row.protocol_json) as TrialProtocol) : null,
    backend: row.backend,
    device: row.device,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
