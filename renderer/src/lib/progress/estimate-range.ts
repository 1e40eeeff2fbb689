import type { RunTimeEstimate } from '$engine/contract.js';
import { formatDuration } from '$engine/charts/format.js';

/** An estimate's range as the app shows it: "1m 10s to 5m 04s", or "at most 5m 04s" when both ends read the same. */
export function estimateRangeText(e: Pick<RunTimeEstimate, 'lowSeconds' | 'seconds'>): string {
  return e.lowSeconds !== undefined && formatDuration(e.lowSeconds) !== formatDuration(e.seconds)
    ? `${formatDuration(e.lowSeconds)} to ${formatDuration(e.seconds)}`
    : `at most ${formatDuration(e.seconds)}`;
}
