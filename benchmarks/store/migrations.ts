/**
 * What each migration brings, in a line, for what `migrate` says it will do (the same index as MIGRATIONS).
 */
export const MIGRATION_SUMMARIES: readonly string[] = [
  'suites, trials and their epoch curves',
  'who runs a suite (a token per run, host, process start, heartbeat) and the run each running trial belongs to',
  'the learning rate of each trial, the candidates tried and the model-selection protocol',
  'the host and worker that ran each trial and its attempts (distributed runs); in PostgreSQL, the blobs and pretrained source models workers fetch',
];

/**
 * Numbered schema migrations of the SQLite store. Migration i brings `PRAGMA user_version` from i to i + 1. Never edit
 * a released one: add a new one, here and in pg-migrations.ts (the PostgreSQL store keeps the same numbers).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE suites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    spec_json TEXT NOT NULL,
    base_dir TEXT NOT NULL,
    backend_choice TEXT NOT NULL,
    env_json TEXT NOT NULL,
    pretrain_json TEXT,
    runner_pid INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT
  );
  CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    suite_id INTEGER NOT NULL REFERENCES suites(id) ON DELETE CASCADE,
    approach TEXT NOT NULL,
    train_size INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged', 'cancelled')),
    test_accuracy REAL,
    test_loss REAL,
    epochs INTEGER,
    best_epoch INTEGER,
    steps INTEGER,
    wall_seconds REAL,
    trainable_params INTEGER,
    total_params INTEGER,
    train_flops REAL,
    peak_bytes INTEGER,
    backend TEXT,
    device TEXT,
    error TEXT,
    started_at TEXT,
    finished_at TEXT,
    UNIQUE (suite_id, approach, train_size, seed)
  );
  CREATE INDEX trials_by_suite ON trials (suite_id, status);
  CREATE TABLE epochs (
    trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    step INTEGER NOT NULL,
    train_loss REAL,
    train_accuracy REAL,
    val_loss REAL,
    val_accuracy REAL,
    elapsed_seconds REAL NOT NULL,
    PRIMARY KEY (trial_id, epoch)
  );
  `,
  // 2: who runs a suite (a token per run, host, kernel scope, process start time, heartbeat), so that a reused pid
  // or a run on another machine is not taken for the owner; and the run a running trial belongs to, so that only
  // that run can write its result.
  `
  ALTER TABLE suites ADD COLUMN owner_token TEXT;
  ALTER TABLE suites ADD COLUMN owner_host TEXT;
  ALTER TABLE suites ADD COLUMN owner_scope TEXT;
  ALTER TABLE suites ADD COLUMN owner_process_start TEXT;
  ALTER TABLE suites ADD COLUMN heartbeat_at INTEGER;
  ALTER TABLE trials ADD COLUMN run_token TEXT;
  `,
  // 3: learning-rate tuning and the model-selection protocol per trial (issue 10): the learning rate kept, every
  // candidate with its validation loss, and whether a held-out split or k-fold cross-validation chose the model.
  `
  ALTER TABLE trials ADD COLUMN learning_rate REAL;
  ALTER TABLE trials ADD COLUMN lr_candidates_json TEXT;
  ALTER TABLE trials ADD COLUMN protocol_json TEXT;
  `,
  // 4: distributed runs (issue 12): the host and worker that ran a trial and how many times it was started (a worker
  // killed mid-trial makes a second attempt). The blobs a worker fetches exist only in PostgreSQL (pg-migrations.ts).
  `
  ALTER TABLE trials ADD COLUMN worker_host TEXT;
  ALTER TABLE trials ADD COLUMN worker_name TEXT;
  ALTER TABLE trials ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
  `,
  // 5: a running trial's own heartbeat (issue 16, defect 11): the worker of a distributed run refreshes it while it
  // trains, so that the run following the suite hands the trial of a silent (dead) worker to another one in a minute.
  `
  ALTER TABLE trials ADD COLUMN heartbeat_at INTEGER;
  `,
  // 6 (issue 20): best_epoch in the unit of epochs for k-fold trials. It held the epoch of the folds' mean curve (an
  // epoch of a fold's training set, smaller than the subset) while epochs counts the final run's epochs on the whole
  // subset; that run trains exactly the steps cross-validation chose, so its best epoch is its last: epochs.
  `
  UPDATE trials SET best_epoch = epochs
    WHERE protocol_json LIKE '%"kind":"kfold"%' AND epochs IS NOT NULL AND best_epoch IS NOT NULL;
  `,
];
