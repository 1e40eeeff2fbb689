import { APPROACHES, type Approach, type TrialRecord } from '../../domain.js';
import { decodeArm, encodeArm, type Arm } from '../../spec/sources.js';
import { efficiencyRange, type EfficiencyMetric } from './metrics.js';
import { summarize, type BandKind, type Summary } from './stats.js';

/** One seed's value at one size: drawn as a dot when seeds are shown. */
export interface SeedValue {
  seed: number;
  trialId: number;
  value: number;
}

export interface EfficiencyPoint extends Summary {
  trainSize: number;
  /** The values summarised, in seed order. */
  seeds: SeedValue[];
}

export interface EfficiencySeries {
  approach: Approach;
  /** The source the approach starts from, in a suite with several; absent otherwise and for scratch. */
  source?: string;
  /** One point per training-set size that has at least one value, in increasing size. */
  points: EfficiencyPoint[];
}

/**
 * Groups trials by approach (and source, in a suite with several) and training-set size and summarises `metric`
 * over seeds, with the analysis' 95% interval (test accuracy: seeds and test-set noise, logit scale) or the min–max.
 * Only `done` trials with a finite value count (as in the engine's analysis): failed, diverged,
 * cancelled and unfinished trials are left out. Approaches come in the order of APPROACHES (each approach's sources
 * by name); approaches without any value are left out.
 */
export function dataEfficiencySeries(
  trials: readonly TrialRecord[],
  metric: EfficiencyMetric,
  band: BandKind,
  /** Examples every trial was tested on (chartTestExamples), for the accuracy band; null when the spec does not say. */
  testExamples: number | null = null,
): EfficiencySeries[] {
  const byArm = new Map<string, { arm: Arm; bySize: Map<number, SeedValue[]> }>();
  for (const trial of trials) {
    if (trial.status !== 'done') continue;
    const value = trial[metric];
    if (value === null || !Number.isFinite(value)) continue;
    const key = encodeArm(trial);
    let entry = byArm.get(key);
    if (!entry) byArm.set(key, (entry = { arm: decodeArm(key), bySize: new Map() }));
    const { bySize } = entry;
    let seeds = bySize.get(trial.trainSize);
    if (!seeds) bySize.set(trial.trainSize, (seeds = []));
    seeds.push({ seed: trial.seed, trialId: trial.id, value });
  }
  const range = efficiencyRange(metric);
  const series: EfficiencySeries[] = [];
  const arms = [...byArm.values()].sort(
    (a, b) =>
      APPROACHES.indexOf(a.arm.approach) - APPROACHES.indexOf(b.arm.approach) ||
      (a.arm.source ?? '').localeCompare(b.arm.source ?? ''),
  );
  for (const { arm, bySize } of arms) {
    const points = [...bySize.entries()]
      .sort(([a], [b]) => a - b)
      .map(([trainSize, seeds]): EfficiencyPoint => {
        const sorted = [...seeds].sort((a, b) => a.seed - b.seed);
        return {
          trainSize,
          ...summarize(
            sorted.map((s) => s.value),
            band,
            range,
            { accuracy: metric === 'testAccuracy', testExamples },
          ),
          seeds: sorted,
        };
      });
    series.push({ ...arm, points });
  }
  return series;
}
