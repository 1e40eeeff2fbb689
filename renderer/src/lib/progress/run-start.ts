import type { TrialRecord } from '$engine/domain.js';

/** A pause longer than this between one trial's end and the next one's start separates two runs of a suite. */
const RUN_GAP_MS = 120_000;

/**
 * When the current run of a suite started, from what is stored (a page opened or reloaded mid-run): the suite's
 * creation when its trials ran in one stretch since (pretraining included), else the first trial start after the
 * last pause of more than two minutes (a resumed suite).
 */
export function runStartMs(createdAt: string, trials: readonly TrialRecord[], nowMs: number): number {
  const created = Date.parse(createdAt);
  const spans = trials
    .filter((t) => t.startedAt)
    .map((t) => ({
      start: Date.parse(t.startedAt!),
      end: t.finishedAt ? Date.parse(t.finishedAt) : t.status === 'running' ? nowMs : Date.parse(t.startedAt!),
    }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end))
    .sort((a, b) => b.end - a.end);
  if (spans.length === 0) return created;
  // Walk back from the latest activity while trials follow each other without a pause.
  let start = spans[0]!.start;
  for (const span of spans.slice(1)) {
    if (span.end < start - RUN_GAP_MS) return start;
    start = Math.min(start, span.start);
  }
  return Math.min(created, start);
}
