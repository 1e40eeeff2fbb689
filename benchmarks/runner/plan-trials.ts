import type { TrialKey } from '../domain.js';
import { suiteArms } from '../spec/sources.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { firstRound } from './adaptive-rounds.js';

/**
 * Every trial of a suite, ordered so that early results cover every approach (from every source) at every size of
 * the first seed. In a suite with `sources`, each transfer approach runs once per source and scratch once.
 */
export function planTrials(spec: SuiteSpec): TrialKey[] {
  const adaptive = firstRound(spec);
  if (adaptive) return adaptive;
  const arms = suiteArms(spec);
  return spec.seeds.flatMap((seed) =>
    spec.sizes.flatMap((trainSize) => arms.map((arm) => ({ ...arm, trainSize, seed }))),
  );
}
