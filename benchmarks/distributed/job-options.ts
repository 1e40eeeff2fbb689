/** A distributed run's job settings and their defaults, without the queue (pg-boss): the CLI shows them in `--help`. */

export interface EnqueueOptions {
  /** A job still active after this long is taken for dead: it goes back to the queue for another worker. */
  expireInSeconds: number;
  /** Times a job is handed out again after its worker died or it failed. */
  retryLimit: number;
}

/**
 * Defaults of `run --distributed`: pg-boss 10 has no heartbeat for a running job, so the expiry is what tells a
 * dead worker: it must be longer than any trial takes (a trial still running then is given to a second worker too;
 * the first result written wins, the other is refused by the store), and it is how long a dead worker's trial waits.
 */
export const DEFAULT_JOB_OPTIONS: EnqueueOptions = { expireInSeconds: 3600, retryLimit: 2 };
