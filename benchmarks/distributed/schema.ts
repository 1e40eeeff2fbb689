/**
 * The tables distributed runs add to the results database (applied as a numbered store migration): content-addressed
 * blobs (blob-store.ts), source models pretrained by a worker (by pretraining cache key, so a later suite reuses
 * them), and, per trial, the host and worker that ran it and how many times it was started. Plain SQL that
 * PostgreSQL and SQLite both accept, so the two stores keep one schema.
 */
export const BLOB_TABLES_SQL = `
  CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    chunks INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE blob_chunks (
    hash TEXT NOT NULL REFERENCES blobs(hash) ON DELETE CASCADE,
    chunk INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (hash, chunk)
  );
  CREATE TABLE pretrained_models (
    cache_key TEXT PRIMARY KEY,
    blob_hash TEXT NOT NULL REFERENCES blobs(hash),
    record_json TEXT NOT NULL
  );
`;

export const TRIAL_WORKER_SQL = `
  ALTER TABLE trials ADD COLUMN worker_host TEXT;
  ALTER TABLE trials ADD COLUMN worker_name TEXT;
  ALTER TABLE trials ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
`;

export const DISTRIBUTED_TABLES_SQL = BLOB_TABLES_SQL + TRIAL_WORKER_SQL;
