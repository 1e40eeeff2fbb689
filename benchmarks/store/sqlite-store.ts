import type Database from 'better-sqlite3';
import { isSuiteEnded, type EnvironmentInfo, type EpochRecord, type EpochRow, type PretrainRecord } from '../domain.js';
import type { TrialRecord, TrialResult } from '../domain.js';
import {
  FINISHED_SQL,
  SUITE_COLUMNS,
  claimRefusal,
  finite,
  noSuiteError,
  notRunningMessage,
  now,
  resultColumns,
  toEpoch,
  toSuite,
  toLease,
  toTrial,
  type EpochDbRow,
  type LeaseRow,
  type SuiteRow,
  type TrialRow,
} from './store-rows.js';
import {
  INTERRUPTED,
  SuiteNotOwnedError,
  TRIAL_CANCELLED,
  TRIAL_INTERRUPTED,
  TrialNotRunningError,
  type NewSuite,
  type OwnerLiveness,
  type RunOwner,
  type Store,
  type StoredSuite,
  type SuiteOutcome,
  type TrialLease,
} from './store.js';
import { approachColumn } from './stored-sources.js';

/**
 * The Store in one SQLite file (better-sqlite3, opened by open-db.ts): the default, with no server to run. Every
 * method does its work synchronously inside one better-sqlite3 transaction (IMMEDIATE where it reads before it
 * writes, so two processes cannot both pass a check) and returns a settled promise; see Store for the contract.
 */
export class SqliteStore implements Store {
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
        `UPDATE trials SET status = 'running', run_token = @token, started_at = @startedAt, error = NULL,
           worker_host = NULL, worker_name = NULL, attempts = 0, heartbeat_at = NULL
         WHERE id = @id AND status = 'pending'`,
      ),
      trialHeartbeat: db.prepare(
        `UPDATE trials SET heartbeat_at = @now WHERE id = @id AND status = 'running' AND run_token = @token`,
      ),
      trialLeases: db.prepare(
        `SELECT id, run_token, heartbeat_at, worker_host, worker_name FROM trials
         WHERE suite_id = ? AND status = 'running' AND run_token IS NOT NULL ORDER BY id`,
      ),
      handBackTrial: db.prepare(
        `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL, heartbeat_at = NULL
         WHERE id = @id AND status = 'running' AND run_token = @token`,
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
           (SELECT id FROM trials WHERE suite_id = @suiteId AND (status NOT IN (${FINISHED_SQL}) OR (@retryFailed AND status = 'failed')))`,
      ),
      resetUnfinished: db.prepare(
        `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL, error = NULL,
           test_accuracy = NULL, test_loss = NULL, epochs = NULL, best_epoch = NULL, steps = NULL, wall_seconds = NULL,
           trainable_params = NULL, total_params = NULL, train_flops = NULL, peak_bytes = NULL, backend = NULL,
           learning_rate = NULL, lr_candidates_json = NULL, protocol_json = NULL,
           device = NULL, finished_at = NULL
         WHERE suite_id = @suiteId AND (status NOT IN (${FINISHED_SQL}) OR (@retryFailed AND status = 'failed'))`,
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

  async createSuite(input: NewSuite): Promise<number> {
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
      for (const key of input.trials) {
        this.stmt.insertTrial.run({ suiteId, approach: approachColumn(key), trainSize: key.trainSize, seed: key.seed });
      }
      this.stmt.claimSuite.run({ id: suiteId, ...input.owner, now: Date.now() });
      return suiteId;
    })();
  }

  async claimSuite(
    id: number,
    owner: RunOwner,
    options: { isAlive: OwnerLiveness; force?: boolean },
  ): Promise<StoredSuite> {
    return this.db
      .transaction(() => {
        const before = this.suite(id);
        if (!before) throw noSuiteError(id);
        const refusal = claimRefusal(id, before, owner, options);
        if (refusal) throw refusal;
        this.stmt.claimSuite.run({ id, ...owner, now: Date.now() });
        return before;
      })
      .immediate();
  }

  async heartbeat(id: number, token: string): Promise<boolean> {
    return this.stmt.heartbeat.run({ id, token, now: Date.now() }).changes === 1;
  }

  async releaseSuite(id: number, token: string, outcome: SuiteOutcome): Promise<boolean> {
    return this.db.transaction(() => {
      const changed = this.stmt.releaseSuite.run({
        id,
        token,
        status: outcome.status,
        error: outcome.error ?? null,
        finishedAt: outcome.finishedAt !== undefined ? outcome.finishedAt : isSuiteEnded(outcome.status) ? now() : null,
      }).changes;
      if (changed === 1) this.stmt.cancelRunningTrials.run({ suiteId: id, error: TRIAL_CANCELLED });
      return changed === 1;
    })();
  }

  async recoverInterruptedSuites(isAlive: OwnerLiveness): Promise<number[]> {
    const recovered: number[] = [];
    for (const { id, status } of this.suites()) {
      if (status !== 'running') continue;
      const done = this.db
        .transaction(() => {
          const suite = this.suite(id);
          if (suite?.status !== 'running' || (suite.owner && isAlive(suite.owner))) return false;
          this.stmt.cancelRunningTrials.run({ suiteId: id, error: TRIAL_INTERRUPTED });
          this.stmt.interruptSuite.run({ id, now: now(), error: INTERRUPTED });
          return true;
        })
        .immediate();
      if (done) recovered.push(id);
    }
    return recovered;
  }

  get location(): string {
    return this.db.name;
  }

  async getSuite(id: number): Promise<StoredSuite | undefined> {
    return this.suite(id);
  }

  async requireSuite(id: number): Promise<StoredSuite> {
    const suite = this.suite(id);
    if (!suite) throw noSuiteError(id);
    return suite;
  }

  async listSuites(): Promise<StoredSuite[]> {
    return this.suites();
  }

  async setSuiteEnv(id: number, env: EnvironmentInfo): Promise<void> {
    this.stmt.setSuiteEnv.run({ id, env: JSON.stringify(env) });
  }

  async setSuitePretrain(id: number, pretrain: PretrainRecord | PretrainRecord[]): Promise<void> {
    this.stmt.setSuitePretrain.run({ id, pretrain: JSON.stringify(pretrain) });
  }

  async listTrials(suiteId: number): Promise<TrialRecord[]> {
    return (this.stmt.trialsOfSuite.all(suiteId) as TrialRow[]).map(toTrial);
  }

  async getTrial(id: number): Promise<TrialRecord | undefined> {
    const row = this.stmt.trialById.get(id) as TrialRow | undefined;
    return row && toTrial(row);
  }

  async markTrialRunning(id: number, token: string): Promise<boolean> {
    return this.stmt.markTrialRunning.run({ id, token, startedAt: now() }).changes === 1;
  }

  async trialHeartbeat(id: number, token: string): Promise<boolean> {
    return this.stmt.trialHeartbeat.run({ id, token, now: Date.now() }).changes === 1;
  }

  async listTrialLeases(suiteId: number): Promise<TrialLease[]> {
    return (this.stmt.trialLeases.all(suiteId) as LeaseRow[]).map(toLease);
  }

  async handBackTrial(id: number, token: string): Promise<boolean> {
    return this.stmt.handBackTrial.run({ id, token }).changes === 1;
  }

  async markTrialCancelled(id: number, token: string, error = TRIAL_CANCELLED): Promise<void> {
    this.stmt.cancelTrial.run({ id, token, error });
  }

  async resetUnfinishedTrials(suiteId: number, token: string, options: { retryFailed?: boolean } = {}): Promise<void> {
    this.db.transaction(() => {
      if (this.suite(suiteId)?.owner?.token !== token) {
        throw new SuiteNotOwnedError(`suite ${suiteId} is not held by this run`);
      }
      const params = { suiteId, retryFailed: options.retryFailed ? 1 : 0 };
      this.stmt.deleteUnfinishedEpochs.run(params);
      this.stmt.resetUnfinished.run(params);
    })();
  }

  async finishTrial(id: number, token: string, result: TrialResult): Promise<void> {
    this.db.transaction(() => {
      const changed = this.stmt.finishTrial.run({ id, token, ...resultColumns(result) }).changes;
      if (changed !== 1) throw new TrialNotRunningError(notRunningMessage(id));
      this.stmt.deleteEpochs.run(id);
      for (const e of result.epochRecords) this.insertEpoch(id, e);
    })();
  }

  async listEpochs(suiteId: number, trainSize?: number): Promise<EpochRow[]> {
    const rows = this.stmt.epochsOfSuite.all({ suiteId, trainSize: trainSize ?? null }) as EpochDbRow[];
    return rows.map(toEpoch);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Synchronous reads, for use inside a transaction. */
  private suite(id: number): StoredSuite | undefined {
    const row = this.stmt.suiteById.get(id) as SuiteRow | undefined;
    return row && toSuite(row);
  }

  private suites(): StoredSuite[] {
    return (this.stmt.allSuites.all() as SuiteRow[]).map(toSuite);
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
}
