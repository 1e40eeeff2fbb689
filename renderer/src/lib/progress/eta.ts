import { isTrialFinal, type TrialRecord } from '$engine/domain.js';

/** A trial being trained right now, as the run events describe it. */
export interface InFlightTrial {
  trialId: number;
  approach: TrialRecord['approach'];
  trainSize: number;
  /** When this client saw the trial start (ms since epoch). */
  startedAtMs: number;
}

/**
 * The relative work of a trial of (approach, size): its FLOPs as the run's estimate counts them when the app has that
 * estimate, else its budget in samples (spec/trial-work.ts).
 */
export type TrialWork = (approach: TrialRecord['approach'], trainSize: number) => number;

/**
 * Expected wall seconds of a trial of (approach, size), from the trials already finished: given `work`, its work at
 * the seconds per unit of work all finished trials took together (with FLOPs as the work, the measured seconds per
 * FLOP: a cheap linear-probe trial does not make a fine-tune look cheap); without it, the mean over finished trials of
 * the same approach and size, else of the same size, else of all finished trials. Null when nothing has finished yet.
 */
export function expectedTrialSeconds(
  finished: readonly TrialRecord[],
  approach: TrialRecord['approach'],
  trainSize: number,
  work?: TrialWork,
): number | null {
  const timed = finished.filter((t) => t.wallSeconds !== null && Number.isFinite(t.wallSeconds));
  if (work && timed.length > 0) {
    const seconds = timed.reduce((sum, t) => sum + t.wallSeconds!, 0);
    const units = timed.reduce((sum, t) => sum + work(t.approach, t.trainSize), 0);
    if (units > 0) return (seconds / units) * work(approach, trainSize);
  }
  const candidates = [
    timed.filter((t) => t.approach === approach && t.trainSize === trainSize),
    timed.filter((t) => t.trainSize === trainSize),
    timed,
  ];
  for (const group of candidates) {
    if (group.length > 0) return group.reduce((sum, t) => sum + t.wallSeconds!, 0) / group.length;
  }
  return null;
}

/**
 * Seconds until the suite is likely finished, derived from finished trials' wall time:
 * the expected time of every trial still to run, plus what the trials in flight are expected
 * still to need, divided by how many run at once (at least one). Null before any trial has
 * finished, since there is nothing to derive it from; 0 when nothing is left.
 */
export function estimateRemainingSeconds(
  trials: readonly TrialRecord[],
  inFlight: readonly InFlightTrial[],
  nowMs: number,
  trialWork?: TrialWork,
): number | null {
  const finished = trials.filter((t) => isTrialFinal(t.status));
  const flying = new Set(inFlight.map((t) => t.trialId));
  const waiting = trials.filter(
    (t) => !flying.has(t.id) && (t.status === 'pending' || t.status === 'running' || t.status === 'cancelled'),
  );
  if (waiting.length === 0 && inFlight.length === 0) return 0;
  let work = 0;
  for (const t of waiting) {
    const expected = expectedTrialSeconds(finished, t.approach, t.trainSize, trialWork);
    if (expected === null) return null;
    work += expected;
  }
  for (const t of inFlight) {
    const expected = expectedTrialSeconds(finished, t.approach, t.trainSize, trialWork);
    if (expected === null) return null;
    work += Math.max(0, expected - (nowMs - t.startedAtMs) / 1000);
  }
  return work / Math.max(1, inFlight.length);
}
