import type pg from 'pg';
import PgBoss from 'pg-boss';
import pRetry from 'p-retry';
import { errorMessage } from '../errors.js';
import { APPLICATION_NAME } from '../store/pg-connect.js';
import { DEFAULT_JOB_OPTIONS, type EnqueueOptions } from './job-options.js';

/**
 * The queue of a distributed suite's work, on pg-boss in the shared PostgreSQL database (its own schema beside the
 * results). pg-boss gives what we would otherwise write by hand: claiming a job with FOR UPDATE SKIP LOCKED (no two
 * workers get the same job), retries, expiry of a job whose worker stopped answering (`expireInSeconds`: the job goes
 * back to the queue and another worker takes it), and cancellation. It creates and migrates its schema under an
 * advisory lock, so several processes starting at once on a new database are safe (test/unit/distributed).
 */
export const QUEUE_SCHEMA = 'transfer_bench_queue';
export const WORK_QUEUE = 'trials';

export interface TrialJobData {
  kind: 'trial';
  suiteId: number;
  trialId: number;
  /** Blob of the target task (datasets/task-file.ts). */
  taskHash: string;
  /** The source model as a packed blob (folder-pack.ts) and the layer to cut it at, for the approaches that start from it. */
  base: { hash: string; cutLayer: string } | null;
  /** The token of the run that enqueued it: a worker takes the trial only while that run still holds the suite. */
  runToken: string;
}

export interface PretrainJobData {
  kind: 'pretrain';
  suiteId: number;
  cacheKey: string;
  /** Blob of the source task. */
  sourceHash: string;
  runToken: string;
  /** In a suite with `sources`, the source to pretrain. */
  source?: string;
}

export type WorkJobData = TrialJobData | PretrainJobData;

export interface QueuedJob {
  id: string;
  data: WorkJobData;
  /** 1 for the first time the job is handed out, 2 after one retry, and so on. */
  attempt: number;
  /** The job's own settings, for putting it back (release). */
  options: EnqueueOptions;
}

export interface QueueOptions {
  /** How often this process runs pg-boss's maintenance (expiring jobs of dead workers); one process at a time does it. */
  maintenanceSeconds?: number;
  /** Connections this process may open for the queue. */
  maxConnections?: number;
}

export { DEFAULT_JOB_OPTIONS, type EnqueueOptions };

/** Pretraining first: the trials that start from the source model wait for it. */
const PRIORITY = { pretrain: 10, trial: 0 } as const;

/**
 * Creates the work queue unless it exists. pg-boss migrates its schema under an advisory lock, but `createQueue` takes
 * none: two processes creating the queue at once on a new database can deadlock in PostgreSQL (one inserts the queue
 * row, the other waits on it while the first attaches the queue's partition). PostgreSQL then aborts one of them with
 * 40P01; the queue row is inserted with ON CONFLICT DO NOTHING, so trying again is safe and finds it created.
 */
async function createQueueOnce(boss: PgBoss): Promise<void> {
  await pRetry(
    async () => {
      if (await boss.getQueue(WORK_QUEUE)) return;
      await boss.createQueue(WORK_QUEUE, { name: WORK_QUEUE, policy: 'standard' });
    },
    {
      retries: 4,
      minTimeout: 50,
      maxTimeout: 1000,
      factor: 2,
      randomize: true,
      shouldRetry: (error) => (error as { code?: unknown }).code === '40P01',
    },
  );
}

export class TrialQueue {
  private constructor(private readonly boss: PgBoss) {}

  /** Connects, creates or migrates pg-boss's schema (safe when several processes do it at once) and the queue. */
  static async open(
    connectionString: string,
    options: QueueOptions = {},
    onError: (message: string) => void = () => {},
  ): Promise<TrialQueue> {
    const boss = new PgBoss({
      connectionString,
      schema: QUEUE_SCHEMA,
      max: options.maxConnections ?? 4,
      application_name: APPLICATION_NAME,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: options.maintenanceSeconds ?? 5,
    });
    // pg-boss reports what goes wrong in its background loops (e.g. a connection lost while PostgreSQL restarts) as
    // events; without a listener an EventEmitter would throw them.
    boss.on('error', (error) => onError(errorMessage(error)));
    await boss.start();
    try {
      await createQueueOnce(boss);
    } catch (error) {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      throw error;
    }
    return new TrialQueue(boss);
  }

  async enqueue(jobs: WorkJobData[], options: EnqueueOptions): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(
      jobs.map((data) => ({
        name: WORK_QUEUE,
        data,
        priority: PRIORITY[data.kind],
        expireInSeconds: options.expireInSeconds,
        retryLimit: options.retryLimit,
        retryDelay: 0,
      })),
    );
  }

  /** The next job, or null when none is ready. The job is this worker's until completed, failed or expired. */
  async take(): Promise<QueuedJob | null> {
    const [job] = await this.boss.fetch<WorkJobData>(WORK_QUEUE, { batchSize: 1, includeMetadata: true });
    return job
      ? {
          id: job.id,
          data: job.data,
          attempt: job.retryCount + 1,
          options: { expireInSeconds: Math.round(Number(job.expireInSeconds)), retryLimit: job.retryLimit },
        }
      : null;
  }

  async complete(id: string): Promise<void> {
    await this.boss.complete(WORK_QUEUE, id);
  }

  /** The job failed: pg-boss hands it out again while its retries last. */
  async fail(id: string, message: string): Promise<void> {
    await this.boss.fail(WORK_QUEUE, id, { message });
  }

  /** Puts a job this worker took back in the queue without counting an attempt (the worker is stopping). */
  async release(job: QueuedJob): Promise<void> {
    await this.enqueue([job.data], job.options);
    await this.boss.complete(WORK_QUEUE, job.id);
  }

  /** Ids of the suite's jobs in a state before `completed` (created, retry, active). */
  async openJobs(suiteId: number): Promise<{ id: string; state: string; data: WorkJobData }[]> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `SELECT id, state, data FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state < 'completed' AND (data->>'suiteId')::int = $2`,
        [WORK_QUEUE, suiteId],
      );
    return rows as { id: string; state: string; data: WorkJobData }[];
  }

  /** The suite's jobs that ran out of attempts, with pg-boss's record of why. */
  async failedJobs(suiteId: number): Promise<{ id: string; data: WorkJobData; output: unknown }[]> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `SELECT id, data, output FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'failed' AND (data->>'suiteId')::int = $2`,
        [WORK_QUEUE, suiteId],
      );
    return rows as { id: string; data: WorkJobData; output: unknown }[];
  }

  /**
   * Cancels the suite's jobs that are not finished (only those of the run `runToken`, when given): queued ones are
   * never handed out; a worker's active one is let go.
   */
  async cancelSuite(suiteId: number, options: { runToken?: string } = {}): Promise<number> {
    const ids = (await this.openJobs(suiteId))
      .filter((job) => options.runToken === undefined || job.data.runToken === options.runToken)
      .map((job) => job.id);
    if (ids.length > 0) await this.boss.cancel(WORK_QUEUE, ids);
    return ids.length;
  }

  /** Cancels these jobs (e.g. the job of a worker that went silent, whose trial was handed to another job). */
  async cancelJobs(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.boss.cancel(WORK_QUEUE, ids);
  }

  /** Marks failed jobs handled (so that a later look does not see them again). */
  async forget(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.boss.deleteJob(WORK_QUEUE, ids);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: true });
  }
}

/** The reason pg-boss recorded for a failed job (`{ message }` from fail(), or its expiry message). */
export function failureMessage(output: unknown): string {
  const record = output as { message?: unknown; value?: { message?: unknown } } | null;
  const message = record?.message ?? record?.value?.message;
  return typeof message === 'string' ? message : 'the job failed';
}

/**
 * Cancels every job of a suite not finished yet, as `TrialQueue.cancelSuite` does, from a process that does not run
 * the queue (a local run taking the suite over from a distributed one); 0 when this database never had a queue.
 */
export async function cancelQueuedJobs(pool: pg.Pool, suiteId: number): Promise<number> {
  const { rows } = await pool.query<{ queue: string | null }>('SELECT to_regclass($1) AS queue', [
    `${QUEUE_SCHEMA}.job`,
  ]);
  if (!rows[0]?.queue) return 0;
  const { rowCount } = await pool.query(
    `UPDATE ${QUEUE_SCHEMA}.job SET completed_on = now(), state = 'cancelled'
     WHERE name = $1 AND state < 'completed' AND (data->>'suiteId')::int = $2`,
    [WORK_QUEUE, suiteId],
  );
  return rowCount ?? 0;
}
