import { schemaSql, type Dialect } from './sql-dialect.js';

/**
 * The schema of both stores as one numbered list: migration i brings the version (SQLite's `PRAGMA user_version`,
 * PostgreSQL's `transfer_bench_schema`) from i to i + 1, and means the same in both databases. Each is written once, in
 * the column types of sql-dialect.ts (`{bigint}`, `{real}`, …); `sqlite` and `postgres` hold what only one database
 * needs. Never edit a released migration: append a new one (test/unit/store/pg-store.test.ts compares the schemas the
 * two databases end with; test/unit/store/migrations.test.ts upgrades databases written by the earlier code).
 */
export interface Migration {
  /** What it brings, in a line: what `migrate` says it will do. */
  summary: string;
  both?: string;
  sqlite?: string;
  postgres?: string;
}

/** Content-addressed blobs (distributed/blob-store.ts) in chunks, and source models pretrained by a worker. */
const BLOB_TABLES = `
  CREATE TABLE blobs (
    hash TEXT NOT NULL PRIMARY KEY,
    size {bigint} NOT NULL,
    chunks {int} NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE blob_chunks (
    hash TEXT NOT NULL REFERENCES blobs(hash) ON DELETE CASCADE,
    chunk {int} NOT NULL,
    data {blob} NOT NULL,
    PRIMARY KEY (hash, chunk)
  );
  CREATE TABLE pretrained_models (
    cache_key TEXT NOT NULL PRIMARY KEY,
    blob_hash TEXT NOT NULL REFERENCES blobs(hash),
    record_json TEXT NOT NULL
  );
`;

export const SCHEMA: readonly Migration[] = [
  {
    summary: 'suites, trials and their epoch curves',
    both: `
  CREATE TABLE suites (
    id {id},
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    spec_json TEXT NOT NULL,
    base_dir TEXT NOT NULL,
    backend_choice TEXT NOT NULL,
    env_json TEXT NOT NULL,
    pretrain_json TEXT,
    runner_pid {bigint},
    created_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT
  );
  CREATE TABLE trials (
    id {id},
    suite_id {bigint} NOT NULL REFERENCES suites(id) ON DELETE CASCADE,
    approach TEXT NOT NULL,
    train_size {bigint} NOT NULL,
    seed {bigint} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged', 'cancelled')),
    test_accuracy {real},
    test_loss {real},
    epochs {int},
    best_epoch {int},
    steps {bigint},
    wall_seconds {real},
    trainable_params {bigint},
    total_params {bigint},
    train_flops {real},
    peak_bytes {bigint},
    backend TEXT,
    device TEXT,
    error TEXT,
    started_at TEXT,
    finished_at TEXT,
    UNIQUE (suite_id, approach, train_size, seed)
  );
  CREATE INDEX trials_by_suite ON trials (suite_id, status);
  CREATE TABLE epochs (
    trial_id {bigint} NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
    epoch {int} NOT NULL,
    step {bigint} NOT NULL,
    train_loss {real},
    train_accuracy {real},
    val_loss {real},
    val_accuracy {real},
    elapsed_seconds {real} NOT NULL,
    PRIMARY KEY (trial_id, epoch)
  );`,
  },
  {
    // so that a reused pid or a run on another machine is not taken for the owner, and only that run writes a result
    summary:
      'who runs a suite (a token per run, host, process start, heartbeat) and the run each running trial belongs to',
    both: `
  ALTER TABLE suites ADD COLUMN owner_token TEXT;
  ALTER TABLE suites ADD COLUMN owner_host TEXT;
  ALTER TABLE suites ADD COLUMN owner_scope TEXT;
  ALTER TABLE suites ADD COLUMN owner_process_start TEXT;
  ALTER TABLE suites ADD COLUMN heartbeat_at {bigint};
  ALTER TABLE trials ADD COLUMN run_token TEXT;`,
  },
  {
    // issue 10: learning-rate tuning, and whether a held-out split or k-fold cross-validation chose the model
    summary: 'the learning rate of each trial, the candidates tried and the model-selection protocol',
    both: `
  ALTER TABLE trials ADD COLUMN learning_rate {real};
  ALTER TABLE trials ADD COLUMN lr_candidates_json TEXT;
  ALTER TABLE trials ADD COLUMN protocol_json TEXT;`,
  },
  {
    // issue 12: a worker killed mid-trial makes a second attempt; the blobs came to SQLite with migration 6
    summary:
      'the host and worker that ran each trial and its attempts (distributed runs); in PostgreSQL, the blobs and pretrained source models workers fetch',
    both: `
  ALTER TABLE trials ADD COLUMN worker_host TEXT;
  ALTER TABLE trials ADD COLUMN worker_name TEXT;
  ALTER TABLE trials ADD COLUMN attempts {int} NOT NULL DEFAULT 0;`,
    postgres: BLOB_TABLES,
  },
  {
    // issue 16, defect 11: the worker of a distributed run refreshes it while it trains, so that the run following
    // the suite hands the trial of a silent (dead) worker to another one in a minute
    summary: "a running trial's own heartbeat (a silent worker's trial goes to another worker)",
    both: `
  ALTER TABLE trials ADD COLUMN heartbeat_at {bigint};`,
  },
  {
    // issue 17: every write goes through the Store, so both stores keep blobs (the contract test holds them on both)
    summary: 'in SQLite, the blobs and pretrained source models PostgreSQL has had since 4 (nothing in PostgreSQL)',
    sqlite: BLOB_TABLES,
  },
  {
    // issue 20: best_epoch in the unit of epochs for k-fold trials. It held the epoch of the folds' mean curve (an epoch
    // of a fold's training set, smaller than the subset) while epochs counts the final run's epochs on the whole
    // subset; that run trains exactly the steps cross-validation chose, so its best epoch is its last: epochs.
    summary: "best_epoch of cross-validated trials in the final run's epochs (the unit of epochs)",
    both: `
  UPDATE trials SET best_epoch = epochs
    WHERE protocol_json LIKE '%"kind":"kfold"%' AND epochs IS NOT NULL AND best_epoch IS NOT NULL;`,
  },
  {
    // issue 22: the compute a trial took, which its wall time does not say on a shared machine (null for earlier trials)
    summary: "each trial's CPU seconds (trials run before this version keep none)",
    both: `
  ALTER TABLE trials ADD COLUMN cpu_seconds {real};`,
  },
];

/** The migrations as `dialect` runs them ('' where that database needs nothing). */
export function migrationsFor(dialect: Dialect): string[] {
  return SCHEMA.map((m) => schemaSql([m.both, m[dialect]].filter(Boolean).join('\n'), dialect));
}

/** SQLite's migration texts (open-db.ts). */
export const MIGRATIONS: readonly string[] = migrationsFor('sqlite');
/** PostgreSQL's migration texts (pg-connect.ts). */
export const PG_MIGRATIONS: readonly string[] = migrationsFor('postgres');
