/**
 * A run-time estimate as `init` and `run` print it: the range, what it covers, and the measured speed it rests on.
 */
import type { RunEstimate, StartupCosts } from '../builder/estimate.js';
import { estimateBasis } from '../builder/estimate-basis.js';
import type { CachedThroughput } from '../builder/throughput-cache.js';
import { formatDuration } from './progress-display.js';

/** "1m10s to 5m04s" or "at most 5m04s" when both ends round to the same. */
export function estimateRange(e: Pick<RunEstimate, 'lowSeconds' | 'seconds'>): string {
  const low = formatDuration(e.lowSeconds);
  const high = formatDuration(e.seconds);
  return low === high ? `at most ${high}` : `${low} to ${high}`;
}

/**
 * Two lines: the range with the trials, workers and FLOPs it covers, then its basis (the measured speed, the start-up
 * costs, when and at what load it was measured: builder/estimate-basis.ts). `pretrainCached`: the source model is cached, so no pretraining is counted.
 */
export function estimateLines(
  e: RunEstimate,
  t: CachedThroughput,
  options: { pretrainCached?: boolean; startup?: StartupCosts | undefined } = {},
): [string, string] {
  const pretraining =
    e.pretrainSeconds > 0
      ? `, pretraining ${formatDuration(e.pretrainSeconds)} included`
      : options.pretrainCached
        ? ', the source model cached'
        : '';
  return [
    `${estimateRange(e)} for ${e.trials} trials, ${e.parallel} at a time on ${e.workers} ${t.backend} worker${e.workers === 1 ? '' : 's'}: from every trial stopping early at its first chance to every trial using its whole budget (${(e.flops / 1e12).toFixed(2)} TFLOP)${pretraining}`,
    estimateBasis(e, t, options.startup),
  ];
}
