import type { TrialRecord } from '../domain.js';
import { suiteArms } from '../spec/sources.js';
import type { AdaptiveDesignSpec, SuiteSpec } from '../spec/suite-schema.js';
import { UserError } from '../errors.js';
import type { AdaptiveSettings } from './adaptive-design.js';
import type { DesignTrial } from './design-evidence.js';

/**
 * The adaptive settings of a suite with `"design": { "kind": "adaptive" }`, null for a fixed grid: its sizes give the
 * range (first and last), its seeds the seeds the design may take in order, its approaches (from every source) the arms.
 */
export function adaptiveSettingsOf(spec: SuiteSpec): AdaptiveSettings | null {
  if (spec.design?.kind !== 'adaptive') return null;
  return {
    minSize: spec.sizes[0]!,
    maxSize: spec.sizes[spec.sizes.length - 1]!,
    arms: suiteArms(spec),
    seeds: spec.seeds,
    budgetSeconds: spec.design.budgetSeconds ?? null,
    ...(spec.design.tolerance === undefined ? {} : { tolerance: spec.design.tolerance }),
  };
}

/**
 * A stored trial as the design reads it: the accuracy of a trial that is done (null otherwise: it adds no evidence and
 * is not run again) and its cost, the trial's own wall seconds (for trials run side by side, their sum is the compute).
 */
export function designTrial(t: TrialRecord): DesignTrial {
  return {
    approach: t.approach,
    ...(t.source === undefined ? {} : { source: t.source }),
    trainSize: t.trainSize,
    seed: t.seed,
    testAccuracy: t.status === 'done' ? t.testAccuracy : null,
    costSeconds: t.wallSeconds,
  };
}

/** The suite with `design` in place of its own (`run --adaptive`), refused with a UserError when it cannot pair. */
export function withDesign(spec: SuiteSpec, design: AdaptiveDesignSpec): SuiteSpec {
  const others = Object.keys(spec.approaches).filter((a) => a !== 'scratch').length;
  if (spec.seeds.length < 2 || spec.approaches.scratch === undefined || others === 0)
    throw new UserError(
      `suite "${spec.name}" cannot run adaptively: the design pairs every approach with scratch on at least two seeds (it has ${spec.seeds.length} seed${spec.seeds.length === 1 ? '' : 's'}${spec.approaches.scratch ? '' : ' and no scratch'}${spec.approaches.scratch && others === 0 ? ' and no other approach' : ''}); add "scratch", another approach and seeds to the suite`,
    );
  return { ...spec, design };
}
