import type { Store, WorkerName } from '../store/store.js';

export type { WorkerName };

/**
 * How a worker takes a trial of a distributed suite, through the store (Store.claimTrialForJob and its neighbours:
 * one statement each, held by the store contract test on both databases). The token a trial runs under is its queue
 * job's (`job:<id>`, the same for every attempt of that job): a pending trial is taken by any job's worker; a running
 * one only by another attempt of the same job (pg-boss handed it out again after its expiry). So when a slow first
 * attempt and a second one both finish, whichever writes first is kept and the store refuses the other; and a job left
 * from an earlier run (before a `resume` reset the trial) never writes.
 */
export const jobToken = (jobId: string): string => `job:${jobId}`;

/**
 * Takes the trial for `token`, counting an attempt; the attempt number, or null when it is not to be run. Only while
 * the run `runToken` (the one that enqueued the job) holds the suite: a job an earlier run left behind (it was killed,
 * or taken over) never takes a trial of the run holding the suite now.
 */
export function claimTrial(
  store: Store,
  trialId: number,
  token: string,
  worker: WorkerName,
  options: { countAttempt?: boolean; runToken: string },
): Promise<number | null> {
  return store.claimTrialForJob(trialId, token, worker, options);
}

/** After a result was written: the worker whose attempt it is (a later attempt may have claimed the trial since). */
export function recordWorker(store: Store, trialId: number, worker: WorkerName): Promise<void> {
  return store.recordTrialWorker(trialId, worker);
}

/** Gives a trial this worker took back (it is stopping): pending again, for the next worker. */
export async function releaseTrial(store: Store, trialId: number, token: string): Promise<void> {
  await store.handBackTrial(trialId, token);
}

/** The blob of a source model pretrained for `cacheKey` by a worker (or uploaded from a machine's cache), if any. */
export function findPretrained(
  store: Store,
  cacheKey: string,
): Promise<{ blobHash: string; recordJson: string } | null> {
  return store.findPretrained(cacheKey);
}

export function recordPretrained(store: Store, cacheKey: string, blobHash: string, recordJson: string): Promise<void> {
  return store.recordPretrained(cacheKey, blobHash, recordJson);
}
