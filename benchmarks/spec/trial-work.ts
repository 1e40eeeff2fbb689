import type { TrialKey } from '../domain.js';
import type { SuiteSpec } from './suite-schema.js';

/**
 * Relative cost of a trial: the samples its budget trains on, for every learning-rate candidate (as
 * builder/estimate.ts counts FLOPs, without building models). Only ratios matter: the ETA turns them into seconds
 * with what finished trials actually took.
 */
export function expectedWork(spec: SuiteSpec, key: Pick<TrialKey, 'approach' | 'trainSize'>): number {
  const settings = spec.approaches[key.approach];
  if (!settings) return 1;
  const trainCount = Math.max(1, Math.round(key.trainSize * (1 - spec.validationFraction)));
  const candidates = Array.isArray(settings.learningRate) ? settings.learningRate.length : 1;
  return Math.max(settings.minSteps * settings.batchSize, settings.epochs * trainCount) * candidates;
}
