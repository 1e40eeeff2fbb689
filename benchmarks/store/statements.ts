/**
 * Every statement the store runs, written once for SQLite and PostgreSQL (parameters `@name`, see sql-dialect.ts).
 * Booleans are passed as 0/1 (SQLite has none); a row lock (`FOR UPDATE`) only matters in PostgreSQL; a parameter
 * tested for NULL is CAST to its type (PostgreSQL must know the type of every parameter).
 */
import { FINISHED_SQL, SUITE_COLUMNS } from './store-rows.js';

/** The owner columns a run's end clears (releaseSuite, a run found gone). */
const NO_OWNER = `runner_pid = NULL, owner_token = NULL, owner_host = NULL, owner_scope = NULL,
  owner_process_start = NULL, heartbeat_at = NULL`;

/** Unfinished trials of a suite, and failed ones too when @retryFailed is 1. */
const UNFINISHED = `suite_id = @suiteId AND (status NOT IN (${FINISHED_SQL}) OR (@retryFailed = 1 AND status = 'failed'))`;

/** A running trial of the run or job @token. */
const RUNNING_FOR_TOKEN = `id = @id AND status = 'running' AND run_token = @token`;

export const SQL = {
  insertSuite: `INSERT INTO suites (name, status, spec_json, base_dir, backend_choice, env_json, created_at)
    VALUES (@name, 'pending', @spec, @baseDir, @backendChoice, @env, @createdAt) RETURNING id`,
  claimSuite: `UPDATE suites SET status = 'running', finished_at = NULL, error = NULL, runner_pid = @pid,
      owner_token = @token, owner_host = @host, owner_scope = @scope, owner_process_start = @processStart,
      heartbeat_at = @now
    WHERE id = @id`,
  lockSuite: `SELECT id FROM suites WHERE id = @id FOR UPDATE`,
  releaseSuite: `UPDATE suites SET status = @status, finished_at = @finishedAt, error = @error, ${NO_OWNER}
    WHERE id = @id AND owner_token = @token`,
  interruptSuite: `UPDATE suites SET status = 'cancelled', finished_at = @now, error = @error, ${NO_OWNER} WHERE id = @id`,
  heartbeat: `UPDATE suites SET heartbeat_at = @now WHERE id = @id AND owner_token = @token`,
  suiteById: `SELECT ${SUITE_COLUMNS} FROM suites s WHERE s.id = @id`,
  allSuites: `SELECT ${SUITE_COLUMNS} FROM suites s ORDER BY s.id DESC`,
  runningSuiteIds: `SELECT id FROM suites WHERE status = 'running' ORDER BY id`,
  setSuiteEnv: `UPDATE suites SET env_json = @env WHERE id = @id`,
  setSuitePretrain: `UPDATE suites SET pretrain_json = @pretrain WHERE id = @id`,

  insertTrial: `INSERT INTO trials (suite_id, approach, train_size, seed, status)
    VALUES (@suiteId, @approach, @trainSize, @seed, 'pending')`,
  trialsOfSuite: `SELECT * FROM trials WHERE suite_id = @suiteId ORDER BY id`,
  trialById: `SELECT * FROM trials WHERE id = @id`,
  markTrialRunning: `UPDATE trials SET status = 'running', run_token = @token, started_at = @startedAt, error = NULL,
      worker_host = NULL, worker_name = NULL, attempts = 0, heartbeat_at = NULL
    WHERE id = @id AND status = 'pending'`,
  trialHeartbeat: `UPDATE trials SET heartbeat_at = @now WHERE ${RUNNING_FOR_TOKEN}`,
  trialLeases: `SELECT id, run_token, heartbeat_at, worker_host, worker_name FROM trials
    WHERE suite_id = @suiteId AND status = 'running' AND run_token IS NOT NULL ORDER BY id`,
  handBackTrial: `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL, heartbeat_at = NULL
    WHERE ${RUNNING_FOR_TOKEN}`,
  cancelTrial: `UPDATE trials SET status = 'cancelled', run_token = NULL, error = @error WHERE ${RUNNING_FOR_TOKEN}`,
  cancelRunningTrials: `UPDATE trials SET status = 'cancelled', run_token = NULL, error = @error
    WHERE suite_id = @suiteId AND status = 'running'`,
  deleteUnfinishedEpochs: `DELETE FROM epochs WHERE trial_id IN (SELECT id FROM trials WHERE ${UNFINISHED})`,
  resetUnfinished: `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL, error = NULL,
      test_accuracy = NULL, test_loss = NULL, epochs = NULL, best_epoch = NULL, steps = NULL, wall_seconds = NULL,
      cpu_seconds = NULL, trainable_params = NULL, total_params = NULL, train_flops = NULL, peak_bytes = NULL, backend = NULL,
      learning_rate = NULL, lr_candidates_json = NULL, protocol_json = NULL, device = NULL, finished_at = NULL
    WHERE ${UNFINISHED}`,
  finishTrial: `UPDATE trials SET status = @status, test_accuracy = @testAccuracy, test_loss = @testLoss,
      epochs = @epochs, best_epoch = @bestEpoch, steps = @steps, wall_seconds = @wallSeconds, cpu_seconds = @cpuSeconds,
      trainable_params = @trainableParams, total_params = @totalParams, train_flops = @trainFlops,
      peak_bytes = @peakBytes, backend = @backend, learning_rate = @learningRate, lr_candidates_json = @lrCandidates,
      protocol_json = @protocol, device = @device, error = @error, finished_at = @finishedAt, run_token = NULL
    WHERE ${RUNNING_FOR_TOKEN}`,
  deleteEpochs: `DELETE FROM epochs WHERE trial_id = @id`,
  epochsOfSuite: `SELECT e.*, t.approach, t.train_size, t.seed FROM epochs e JOIN trials t ON t.id = e.trial_id
    WHERE t.suite_id = @suiteId AND (CAST(@trainSize AS BIGINT) IS NULL OR t.train_size = @trainSize)
    ORDER BY t.id, e.epoch`,

  /**
   * A worker takes a trial for the queue job @token (distributed/trial-claims.ts): a pending one, or one already
   * running for the same job (pg-boss handed the job out again); only while the suite runs, and, with @runToken,
   * only while the run that enqueued the job holds it. Counts @countAttempt (0 or 1) attempts.
   */
  claimTrialForJob: `UPDATE trials SET status = 'running', run_token = @token, started_at = @startedAt, error = NULL,
      attempts = attempts + @countAttempt, worker_host = @host, worker_name = @name, heartbeat_at = NULL
    WHERE id = @id AND (status = 'pending' OR (status = 'running' AND run_token = @token))
      AND (SELECT s.status = 'running' AND (CAST(@runToken AS TEXT) IS NULL OR s.owner_token = @runToken)
           FROM suites s WHERE s.id = trials.suite_id)
    RETURNING attempts`,
  recordTrialWorker: `UPDATE trials SET worker_host = @host, worker_name = @name WHERE id = @id`,
  findPretrained: `SELECT blob_hash, record_json FROM pretrained_models WHERE cache_key = @cacheKey`,
  recordPretrained: `INSERT INTO pretrained_models (cache_key, blob_hash, record_json)
    VALUES (@cacheKey, @blobHash, @recordJson) ON CONFLICT (cache_key) DO NOTHING`,

  hasBlob: `SELECT hash FROM blobs WHERE hash = @hash`,
  insertBlob: `INSERT INTO blobs (hash, size, chunks, created_at) VALUES (@hash, @size, @chunks, @createdAt)
    ON CONFLICT (hash) DO NOTHING`,
  insertBlobChunk: `INSERT INTO blob_chunks (hash, chunk, data) VALUES (@hash, @chunk, @data)`,
  blobHead: `SELECT size, chunks FROM blobs WHERE hash = @hash`,
  blobChunk: `SELECT data FROM blob_chunks WHERE hash = @hash AND chunk = @chunk`,
} as const;

/** Epoch rows written by one statement at most (8 parameters each: far below either database's limit). */
export const EPOCHS_PER_INSERT = 200;

/** An INSERT of `rows` epochs of trial @trialId, the values of row i named @epoch_i, @step_i, … */
export function insertEpochsSql(rows: number): string {
  const values = Array.from(
    { length: rows },
    (_, i) =>
      `(@trialId, @epoch_${i}, @step_${i}, @trainLoss_${i}, @trainAccuracy_${i}, @valLoss_${i}, @valAccuracy_${i}, @elapsed_${i})`,
  );
  return `INSERT INTO epochs (trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, elapsed_seconds)
    VALUES ${values.join(', ')}`;
}
