/**
 * How large a suite may be. Every suite is checked against these wherever it comes from (`run`, `init`, `serve`, the
 * app: they all parse it with suite-schema.ts), so that no suite file can make a run exhaust the machine: a suite of
 * 450,000 seeds (3.6 million trials) once wrote 750 MB of SQLite and then spun for 13 minutes at 5 GB without output.
 * The largest built-in suite has 9 sizes, 3 seeds and 108 trials.
 */
import { suiteArms } from './sources.js';
import type { SuiteSpec } from './suite-schema.js';

export const SUITE_LIMITS = {
  /** Trials of one suite (approaches × sizes × seeds): each is a stored row, a worker's job and a point on a chart. */
  trials: 5_000,
  /** Training-set sizes: each is a point of the learning curves. */
  sizes: 50,
  /** Seeds: each repeats every size and approach. */
  seeds: 100,
  /** Learning rates an approach tunes over (the grid): each trial trains once per value. */
  learningRates: 8,
  /** Bytes of a suite file, or of a suite sent as text: a suite is a page of JSON. */
  suiteFileBytes: 1024 * 1024,
} as const;

const WHY = 'so that one run fits one machine (memory, disk and time)';

export function tooManySizes(count: number): string {
  return `${count} sizes; at most ${SUITE_LIMITS.sizes} in one suite (each size trains every approach and seed again), ${WHY}: use fewer sizes`;
}

export function tooManySeeds(count: number): string {
  return `${count} seeds; at most ${SUITE_LIMITS.seeds} in one suite (each seed trains every size and approach again), ${WHY}: use fewer seeds`;
}

export function tooManyLearningRates(count: number): string {
  return `${count} learning rates; at most ${SUITE_LIMITS.learningRates} (each trial trains once per value), ${WHY}: keep the likeliest values`;
}

/** The trials a suite plans, and why it has too many; null when it is within the limit. */
export function tooManyTrials(spec: Pick<SuiteSpec, 'approaches' | 'sizes' | 'seeds' | 'sources'>): string | null {
  const arms = suiteArms(spec as SuiteSpec).length;
  const trials = arms * spec.sizes.length * spec.seeds.length;
  if (trials <= SUITE_LIMITS.trials) return null;
  return `${trials} trials (${arms} approaches × ${spec.sizes.length} sizes × ${spec.seeds.length} seeds); at most ${SUITE_LIMITS.trials} in one suite, ${WHY}: use fewer sizes or seeds, or split it into several suites`;
}

/** Why a suite text of `bytes` is refused, or null. `origin` names it ("suite file x.json"). */
export function tooLargeSuite(origin: string, bytes: number): string | null {
  if (bytes <= SUITE_LIMITS.suiteFileBytes) return null;
  return `${origin} is ${bytes} bytes: at most ${SUITE_LIMITS.suiteFileBytes / 1024 / 1024} MiB for a suite (a suite is a page of JSON; a larger one is the wrong file, or more trials than one run can take)`;
}
