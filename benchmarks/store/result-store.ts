import type Database from 'better-sqlite3';
import type {
  BackendChoice,
  EnvironmentInfo,
  EpochRecord,
  PretrainRecord,
  SuiteRecord,
  SuiteStatus,
  TrialKey,
  TrialRecord,
  TrialResult,
  TrialStatus,
} from '../domain.js';
import type { EpochRow } from '../domain.js';
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
  created_at: string;
  finished_at: string | null;
  error: string | null;
  trials_total: number;
  trials_done: number;
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

export interface StoredSuite extends SuiteRecord {
  /** Folder that relative paths in the spec resolve against. */
  baseDir: string;
  backendChoice: BackendChoice;
  /** Process that runs the suite while its status is `running`. */
  runnerPid: number | null;
}

const now = (): string => new Date().toISOString();
/** SQLite has no NaN: a diverged loss is stored as NULL. */
const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);
const SUITE_COLUMNS = `s.*,
  (SELECT COUNT(*) FROM trials t WHERE t.suite_id = s.id) AS trials_total,
  (SELECT COUNT(*) FROM trials t WHERE t.suite_id = s.id AND t.status IN ('done', 'diverged', 'failed')) AS trials_done`;

/** All reads and writes of suites, trials and epoch curves. A trial's results and curve are written in one transaction. */
export class ResultStore {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      insertSuite: db.prepare(
        `INSERT INTO suites (name, status, spec_json, base_dir, backend_choice, env_json, created_at)
         VALUES (@name, 'pending', @spec, @baseDir, @backendChoice, @env, @createdAt)`,
      ),
      insertTrial: db.prepare(
        `INSERT INTO trials (suite_id, approach, train_size, seed, status) VALUES (@suiteId, @approach, @trainSize, @seed, 'pending')`,
      ),
      suiteById: db.prepare(`SELECT ${SUITE_COLUMNS} FROM suites s WHERE s.id = ?`),
      allSuites: db.prepare(`SELECT ${SUITE_COLUMNS} FROM suites s ORDER BY s.id DESC`),
      setSuiteStatus: db.prepare(
        `UPDATE suites SET status = @status, finished_at = @finishedAt, error = @error, runner_pid = @runnerPid WHERE id = @id`,
      ),
      setSuiteEnv: db.prepare(`UPDATE suites SET env_json = @env WHERE id = @id`),
      setSuitePretrain: db.prepare(`UPDATE suites SET pretrain_json = @pretrain WHERE id = @id`),
      trialsOfSuite: db.prepare(`SELECT * FROM trials WHERE suite_id = ? ORDER BY id`),
      trialById: db.prepare(`SELECT * FROM trials WHERE id = ?`),
      markTrialRunning: db.prepare(
        `UPDATE trials SET status = 'running', started_at = @startedAt, error = NULL WHERE id = @id`,
      ),
      markTrialStatus: db.prepare(`UPDATE trials SET status = @status, error = @error WHERE id = @id`),
      resetUnfinished: db.prepare(
        `UPDATE trials SET status = 'pending', started_at = NULL, error = NULL
         WHERE suite_id = ? AND status IN ('pending', 'running', 'cancelled')`,
      ),
      deleteEpochs: db.prepare(`DELETE FROM epochs WHERE trial_id = ?`),
      finishTrial: db.prepare(
        `UPDATE trials SET status = @status, test_accuracy = @testAccuracy, test_loss = @testLoss, epochs = @epochs,
           best_epoch = @bestEpoch, steps = @steps, wall_seconds = @wallSeconds, trainable_params = @trainableParams,
           total_params = @totalParams, train_flops = @trainFlops, peak_bytes = @peakBytes, backend = @backend,
           device = @device, error = @error, finished_at = @finishedAt
         WHERE id = @id`,
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

  /** Creates a suite and all its trials as `pending`, in one transaction. */
  createSuite(input: {
    spec: SuiteSpec;
    baseDir: string;
    backendChoice: BackendChoice;
    env: EnvironmentInfo;
    trials: TrialKey[];
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
      return suiteId;
    })();
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

  setSuiteStatus(id: number, status: SuiteStatus, error: string | null = null): void {
    const finished = status === 'done' || status === 'failed' || status === 'cancelled';
    const runnerPid = status === 'running' ? process.pid : null;
    this.stmt.setSuiteStatus.run({ id, status, error, finishedAt: finished ? now() : null, runnerPid });
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

  markTrialRunning(id: number): void {
    this.stmt.markTrialRunning.run({ id, startedAt: now() });
  }

  markTrialCancelled(id: number): void {
    this.stmt.markTrialStatus.run({ id, status: 'cancelled', error: 'cancelled before it finished' });
  }

  /** Makes every trial that did not finish runnable again (for `resume`); finished trials are never touched. */
  resetUnfinishedTrials(suiteId: number): void {
    this.db.transaction(() => {
      for (const trial of this.listTrials(suiteId)) {
        if (trial.status === 'running' || trial.status === 'cancelled') this.stmt.deleteEpochs.run(trial.id);
      }
      this.stmt.resetUnfinished.run(suiteId);
    })();
  }

  /** Writes a trial's results and its whole curve in one transaction. */
  finishTrial(id: number, result: TrialResult): void {
    this.db.transaction(() => {
      this.stmt.deleteEpochs.run(id);
      this.stmt.finishTrial.run({
        id,
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
        backend: result.backend,
        device: result.device,
        error: result.error,
        finishedAt: now(),
      });
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
    trialsDone: row.trials_done,
    baseDir: row.base_dir,
    backendChoice: row.backend_choice as BackendChoice,
    runnerPid: row.runner_pid,
  };
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
    backend: row.backend,
    device: row.device,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
