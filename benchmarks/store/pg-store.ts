import type pg from 'pg';
import { isSuiteEnded, type EnvironmentInfo, type EpochRow, type PretrainRecord } from '../domain.js';
import type { TrialRecord, TrialResult } from '../domain.js';
import { checkPgSchema, connectError, createPgPool, migratePg, redactUrl, type PgPoolOptions } from './pg-connect.js';
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

type Queryable = pg.Pool | pg.PoolClient;

const SUITE_BY_ID = `SELECT ${SUITE_COLUMNS} FROM suites s WHERE s.id = $1`;
const CANCEL_RUNNING_TRIALS = `UPDATE trials SET status = 'cancelled', run_token = NULL, error = $2 WHERE suite_id = $1 AND status = 'running'`;
/** Unfinished trials of a suite ($1), and failed ones too when $2 is true. */
const UNFINISHED = `suite_id = $1 AND (status NOT IN (${FINISHED_SQL}) OR ($2::boolean AND status = 'failed'))`;

/**
 * The Store in a shared PostgreSQL database (node-postgres, one pool per process), for suites run from several
 * machines. Same schema, migrations and guarantees as SqliteStore (see Store): each method is one transaction;
 * checks that must hold until the write (who holds a suite) lock the suite's row (`SELECT … FOR UPDATE`); writes
 * guarded by a status (take a pending trial, finish a running one) are single UPDATEs whose WHERE clause PostgreSQL
 * re-checks after waiting for a concurrent writer, so of two racing writers exactly one changes the row.
 */
export class PgStore implements Store {
  readonly location: string;

  private constructor(
    /** The pool, for other tables in the same database (the distributed runner's queue and blobs). */
    readonly pool: pg.Pool,
    url: string,
  ) {
    this.location = redactUrl(url);
  }

  /**
   * Connects to `url` and brings the schema up to date (migrations under an advisory lock), or with `readonly`
   * only checks that the schema is this program's and makes every transaction read-only. Rejects with one UserError
   * (bad URL, server unreachable, authentication refused, no such database, schema newer than this program).
   */
  static async open(url: string, options: PgPoolOptions = {}): Promise<PgStore> {
    const readonly = options.readonly ?? false;
    let pool: pg.Pool | undefined;
    try {
      pool = createPgPool(url, options);
      if (readonly) await checkPgSchema(pool, url);
      else await migratePg(pool, url, options);
      return new PgStore(pool, url);
    } catch (error) {
      await pool?.end().catch(() => {});
      throw connectError(url, error, readonly);
    }
  }

  /** Runs `work` in one transaction on one connection; rolled back when it throws. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: the pool must not hand it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async createSuite(input: NewSuite): Promise<number> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO suites (name, status, spec_json, base_dir, backend_choice, env_json, created_at)
         VALUES ($1, 'pending', $2, $3, $4, $5, $6) RETURNING id`,
        [
          input.spec.name,
          JSON.stringify(input.spec),
          input.baseDir,
          input.backendChoice,
          JSON.stringify(input.env),
          now(),
        ],
      );
      const suiteId = rows[0]!.id;
      // One by one, so that ids follow the planned order (listTrials returns trials by id).
      for (const key of input.trials) {
        await client.query(
          `INSERT INTO trials (suite_id, approach, train_size, seed, status) VALUES ($1, $2, $3, $4, 'pending')`,
          [suiteId, approachColumn(key), key.trainSize, key.seed],
        );
      }
      await this.claim(client, suiteId, input.owner);
      return suiteId;
    });
  }

  private async claim(client: pg.PoolClient, id: number, owner: RunOwner): Promise<void> {
    await client.query(
      `UPDATE suites SET status = 'running', finished_at = NULL, error = NULL, runner_pid = $2,
         owner_token = $3, owner_host = $4, owner_scope = $5, owner_process_start = $6, heartbeat_at = $7
       WHERE id = $1`,
      [id, owner.pid, owner.token, owner.host, owner.scope, owner.processStart, Date.now()],
    );
  }

  async claimSuite(
    id: number,
    owner: RunOwner,
    options: { isAlive: OwnerLiveness; force?: boolean },
  ): Promise<StoredSuite> {
    return this.transaction(async (client) => {
      const before = await this.lockedSuite(client, id);
      if (!before) throw noSuiteError(id);
      const refusal = claimRefusal(id, before, owner, options);
      if (refusal) throw refusal;
      await this.claim(client, id, owner);
      return before;
    });
  }

  /** The suite with its row locked until the transaction ends (a concurrent claim waits), or undefined. */
  private async lockedSuite(client: pg.PoolClient, id: number): Promise<StoredSuite | undefined> {
    const locked = await client.query('SELECT id FROM suites WHERE id = $1 FOR UPDATE', [id]);
    if (locked.rowCount !== 1) return undefined;
    return this.suite(client, id);
  }

  async heartbeat(id: number, token: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE suites SET heartbeat_at = $3 WHERE id = $1 AND owner_token = $2',
      [id, token, Date.now()],
    );
    return rowCount === 1;
  }

  async releaseSuite(id: number, token: string, outcome: SuiteOutcome): Promise<boolean> {
    const finishedAt =
      outcome.finishedAt !== undefined ? outcome.finishedAt : isSuiteEnded(outcome.status) ? now() : null;
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE suites SET status = $3, finished_at = $4, error = $5, runner_pid = NULL,
           owner_token = NULL, owner_host = NULL, owner_scope = NULL, owner_process_start = NULL, heartbeat_at = NULL
         WHERE id = $1 AND owner_token = $2`,
        [id, token, outcome.status, finishedAt, outcome.error ?? null],
      );
      if (rowCount === 1) await client.query(CANCEL_RUNNING_TRIALS, [id, TRIAL_CANCELLED]);
      return rowCount === 1;
    });
  }

  async recoverInterruptedSuites(isAlive: OwnerLiveness): Promise<number[]> {
    const recovered: number[] = [];
    const { rows } = await this.pool.query<{ id: number }>(`SELECT id FROM suites WHERE status = 'running'`);
    for (const { id } of rows) {
      const done = await this.transaction(async (client) => {
        const suite = await this.lockedSuite(client, id);
        if (suite?.status !== 'running' || (suite.owner && isAlive(suite.owner))) return false;
        await client.query(CANCEL_RUNNING_TRIALS, [id, TRIAL_INTERRUPTED]);
        await client.query(
          `UPDATE suites SET status = 'cancelled', finished_at = $2, error = $3, runner_pid = NULL,
             owner_token = NULL, owner_host = NULL, owner_scope = NULL, owner_process_start = NULL, heartbeat_at = NULL
           WHERE id = $1`,
          [id, now(), INTERRUPTED],
        );
        return true;
      });
      if (done) recovered.push(id);
    }
    return recovered;
  }

  async getSuite(id: number): Promise<StoredSuite | undefined> {
    return this.suite(this.pool, id);
  }

  async requireSuite(id: number): Promise<StoredSuite> {
    const suite = await this.suite(this.pool, id);
    if (!suite) throw noSuiteError(id);
    return suite;
  }

  async listSuites(): Promise<StoredSuite[]> {
    const { rows } = await this.pool.query<SuiteRow>(`SELECT ${SUITE_COLUMNS} FROM suites s ORDER BY s.id DESC`);
    return rows.map(toSuite);
  }

  async setSuiteEnv(id: number, env: EnvironmentInfo): Promise<void> {
    await this.pool.query('UPDATE suites SET env_json = $2 WHERE id = $1', [id, JSON.stringify(env)]);
  }

  async setSuitePretrain(id: number, pretrain: PretrainRecord | PretrainRecord[]): Promise<void> {
    await this.pool.query('UPDATE suites SET pretrain_json = $2 WHERE id = $1', [id, JSON.stringify(pretrain)]);
  }

  async listTrials(suiteId: number): Promise<TrialRecord[]> {
    const { rows } = await this.pool.query<TrialRow>('SELECT * FROM trials WHERE suite_id = $1 ORDER BY id', [suiteId]);
    return rows.map(toTrial);
  }

  async getTrial(id: number): Promise<TrialRecord | undefined> {
    const { rows } = await this.pool.query<TrialRow>('SELECT * FROM trials WHERE id = $1', [id]);
    return rows[0] && toTrial(rows[0]);
  }

  async markTrialRunning(id: number, token: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE trials SET status = 'running', run_token = $2, started_at = $3, error = NULL,
         worker_host = NULL, worker_name = NULL, attempts = 0, heartbeat_at = NULL
       WHERE id = $1 AND status = 'pending'`,
      [id, token, now()],
    );
    return rowCount === 1;
  }

  async trialHeartbeat(id: number, token: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE trials SET heartbeat_at = $3 WHERE id = $1 AND status = 'running' AND run_token = $2`,
      [id, token, Date.now()],
    );
    return rowCount === 1;
  }

  async listTrialLeases(suiteId: number): Promise<TrialLease[]> {
    const { rows } = await this.pool.query<LeaseRow>(
      `SELECT id, run_token, heartbeat_at, worker_host, worker_name FROM trials
       WHERE suite_id = $1 AND status = 'running' AND run_token IS NOT NULL ORDER BY id`,
      [suiteId],
    );
    return rows.map(toLease);
  }

  async handBackTrial(id: number, token: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL, heartbeat_at = NULL
       WHERE id = $1 AND status = 'running' AND run_token = $2`,
      [id, token],
    );
    return rowCount === 1;
  }

  async markTrialCancelled(id: number, token: string, error = TRIAL_CANCELLED): Promise<void> {
    await this.pool.query(
      `UPDATE trials SET status = 'cancelled', run_token = NULL, error = $3
       WHERE id = $1 AND status = 'running' AND run_token = $2`,
      [id, token, error],
    );
  }

  async resetUnfinishedTrials(suiteId: number, token: string, options: { retryFailed?: boolean } = {}): Promise<void> {
    await this.transaction(async (client) => {
      if ((await this.lockedSuite(client, suiteId))?.owner?.token !== token) {
        throw new SuiteNotOwnedError(`suite ${suiteId} is not held by this run`);
      }
      const params = [suiteId, options.retryFailed ?? false];
      await client.query(`DELETE FROM epochs WHERE trial_id IN (SELECT id FROM trials WHERE ${UNFINISHED})`, params);
      await client.query(
        `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL, error = NULL,
           test_accuracy = NULL, test_loss = NULL, epochs = NULL, best_epoch = NULL, steps = NULL, wall_seconds = NULL,
           trainable_params = NULL, total_params = NULL, train_flops = NULL, peak_bytes = NULL, backend = NULL,
           learning_rate = NULL, lr_candidates_json = NULL, protocol_json = NULL,
           device = NULL, finished_at = NULL
         WHERE ${UNFINISHED}`,
        params,
      );
    });
  }

  async finishTrial(id: number, token: string, result: TrialResult): Promise<void> {
    const c = resultColumns(result);
    await this.transaction(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE trials SET status = $3, test_accuracy = $4, test_loss = $5, epochs = $6, best_epoch = $7, steps = $8,
           wall_seconds = $9, trainable_params = $10, total_params = $11, train_flops = $12, peak_bytes = $13,
           backend = $14, learning_rate = $15, lr_candidates_json = $16, protocol_json = $17, device = $18,
           error = $19, finished_at = $20, run_token = NULL
         WHERE id = $1 AND status = 'running' AND run_token = $2`,
        [
          id,
          token,
          c.status,
          c.testAccuracy,
          c.testLoss,
          c.epochs,
          c.bestEpoch,
          c.steps,
          c.wallSeconds,
          c.trainableParams,
          c.totalParams,
          c.trainFlops,
          c.peakBytes,
          c.backend,
          c.learningRate,
          c.lrCandidates,
          c.protocol,
          c.device,
          c.error,
          c.finishedAt,
        ],
      );
      if (rowCount !== 1) throw new TrialNotRunningError(notRunningMessage(id));
      await client.query('DELETE FROM epochs WHERE trial_id = $1', [id]);
      const e = result.epochRecords;
      if (e.length === 0) return;
      // The whole curve in one statement: one array per column.
      await client.query(
        `INSERT INTO epochs (trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, elapsed_seconds)
         SELECT $1, * FROM unnest($2::integer[], $3::bigint[], $4::double precision[], $5::double precision[],
           $6::double precision[], $7::double precision[], $8::double precision[])`,
        [
          id,
          e.map((r) => r.epoch),
          e.map((r) => r.step),
          e.map((r) => finite(r.trainLoss)),
          e.map((r) => finite(r.trainAccuracy)),
          e.map((r) => finite(r.valLoss)),
          e.map((r) => finite(r.valAccuracy)),
          e.map((r) => r.elapsedSeconds),
        ],
      );
    });
  }

  async listEpochs(suiteId: number, trainSize?: number): Promise<EpochRow[]> {
    const { rows } = await this.pool.query<EpochDbRow>(
      `SELECT e.*, t.approach, t.train_size, t.seed FROM epochs e JOIN trials t ON t.id = e.trial_id
       WHERE t.suite_id = $1 AND ($2::bigint IS NULL OR t.train_size = $2)
       ORDER BY t.id, e.epoch`,
      [suiteId, trainSize ?? null],
    );
    return rows.map(toEpoch);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async suite(db: Queryable, id: number): Promise<StoredSuite | undefined> {
    const { rows } = await db.query<SuiteRow>(SUITE_BY_ID, [id]);
    return rows[0] && toSuite(rows[0]);
  }
}
