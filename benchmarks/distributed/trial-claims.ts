import type pg from 'pg';

/**
 * How a worker takes a trial of a distributed suite, beside the store's own writes (store migration 4 adds the
 * columns). The token a trial runs under is its queue job's (`job:<id>`, the same for every attempt of that job): a
 * pending trial is taken by any job's worker; a running one only by another attempt of the same job (pg-boss handed
 * it out again after its expiry). So when a slow first attempt and a second one both finish, whichever writes first
 * is kept and the store refuses the other; and a job left from an earlier run (before a `resume` reset the trial)
 * never writes.
 */
export interface WorkerName {
  host: string;
  /** Names the process and slot on the host, e.g. "pid 4242 slot 1". */
  name: string;
}

export const jobToken = (jobId: string): string => `job:${jobId}`;

/**
 * Takes the trial for `token`, counting an attempt; the attempt number, or null when it is not to be run. Only while
 * the run `runToken` (the one that enqueued the job) holds the suite: a job an earlier run left behind (it was killed,
 * or taken over) never takes a trial of the run holding the suite now.
 */
export async function claimTrial(
  pool: pg.Pool,
  trialId: number,
  token: string,
  worker: WorkerName,
  options: { countAttempt?: boolean; runToken: string },
): Promise<number | null> {
  const { rows } = await pool.query<{ attempts: number }>(
    `UPDATE trials SET status = 'running', run_token = $2, started_at = $3, error = NULL,
       attempts = attempts + $6, worker_host = $4, worker_name = $5, heartbeat_at = NULL
     WHERE id = $1 AND (status = 'pending' OR (status = 'running' AND run_token = $2))
       AND (SELECT s.status = 'running' AND s.owner_token = $7 FROM suites s WHERE s.id = trials.suite_id)
     RETURNING attempts`,
    [
      trialId,
      token,
      new Date().toISOString(),
      worker.host,
      worker.name,
      options.countAttempt === false ? 0 : 1,
      options.runToken,
    ],
  );
  return rows[0]?.attempts ?? null;
}

/** After a result was written: the worker whose attempt it is (a later attempt may have claimed the trial since). */
export async function recordWorker(pool: pg.Pool, trialId: number, worker: WorkerName): Promise<void> {
  await pool.query('UPDATE trials SET worker_host = $2, worker_name = $3 WHERE id = $1', [
    trialId,
    worker.host,
    worker.name,
  ]);
}

/** Gives a trial this worker took back (it is stopping): pending again, for the next worker. */
export async function releaseTrial(pool: pg.Pool, trialId: number, token: string): Promise<void> {
  await pool.query(
    `UPDATE trials SET status = 'pending', run_token = NULL, started_at = NULL
     WHERE id = $1 AND status = 'running' AND run_token = $2`,
    [trialId, token],
  );
}

/** The blob of a source model pretrained for `cacheKey` by a worker (or uploaded from a machine's cache), if any. */
export async function findPretrained(
  pool: pg.Pool,
  cacheKey: string,
): Promise<{ blobHash: string; recordJson: string } | null> {
  const { rows } = await pool.query<{ blob_hash: string; record_json: string }>(
    'SELECT blob_hash, record_json FROM pretrained_models WHERE cache_key = $1',
    [cacheKey],
  );
  const row = rows[0];
  return row ? { blobHash: row.blob_hash, recordJson: row.record_json } : null;
}

export async function recordPretrained(
  pool: pg.Pool,
  cacheKey: string,
  blobHash: string,
  recordJson: string,
): Promise<void> {
  await pool.query(
    'INSERT INTO pretrained_models (cache_key, blob_hash, record_json) VALUES ($1, $2, $3) ON CONFLICT (cache_key) DO NOTHING',
    [cacheKey, blobHash, recordJson],
  );
}
