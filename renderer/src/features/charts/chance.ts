import type { SuiteSpec } from '$engine/contract.js';

/** Accuracy of guessing uniformly among the target classes, when the suite says how many there are. */
export function chanceAccuracy(spec: SuiteSpec): number | null {
  const dataset = spec.target.dataset;
  const classes = dataset.classes?.length ?? (dataset.kind === 'mnist' ? 10 : (dataset.classNames?.length ?? null));
  return classes ? 1 / classes : null;
}
