/**
 * What a run-time estimate rests on, in one sentence (the CLI prints it under the range; the app shows it beside the
 * range): the measured training speed, each training's fixed cost, each worker's start-up, and when and at what load
 * the speed was measured.
 */
import type { RunEstimate, StartupCosts } from './estimate.js';
import type { CachedThroughput } from './throughput-cache.js';

const seconds = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} s`;

/** "basis: 2625 training samples/s per worker and 0.32 s fixed cost per training, measured now at …; each worker's start-up 1.3 s (…); …" */
export function estimateBasis(
  e: Pick<RunEstimate, 'startupSeconds'> & Partial<Pick<RunEstimate, 'loadSlowdown'>>,
  t: CachedThroughput,
  startup?: StartupCosts,
): string {
  const measured = t.reused ? `measured ${t.measuredAt.replace('T', ' ').slice(0, 16)} UTC` : 'measured now';
  const parts = startup
    ? [
        `${startup.workerMeasured ? 'process and backend' : 'backend'} ${seconds(startup.workerSeconds)}`,
        `data ${seconds(startup.dataSeconds)}`,
        ...(startup.modelLoadSeconds > 0 ? [`model ${seconds(startup.modelLoadSeconds)}`] : []),
      ]
    : [];
  const perWorker = startup ? startup.workerSeconds + startup.dataSeconds + startup.modelLoadSeconds : 0;
  const startupText =
    startup && perWorker > 0
      ? `; each worker's start-up ${seconds(perWorker)} (${parts.join(', ')})${e.startupSeconds > perWorker * 1.01 ? `, ${seconds(e.startupSeconds)} in all as the workers take turns on the free cores` : ''}`
      : '';
  const busier =
    (e.loadSlowdown ?? 1) > 1.01
      ? `; the machine is busier now (load ${(t.loadNow ?? 0).toFixed(1)}), so every part counts ${(e.loadSlowdown ?? 1).toFixed(1)}× the measured time`
      : '';
  return `basis: ${Math.round(t.samplesPerSecond)} training samples/s per worker and ${t.trialOverheadSeconds?.toFixed(2) ?? '?'} s fixed cost per training, ${measured} at a load of ${(t.loadAverage ?? 0).toFixed(1)} on ${t.cores ?? '?'} cores${startupText}${busier}; more load during the run makes it longer`;
}
