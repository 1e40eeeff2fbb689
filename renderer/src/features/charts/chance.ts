import type { SuiteSpec } from '$engine/contract.js';

/** Accuracy of guessing uniformly among the target classes, when the suite says how many there are. */
export function chanceAccuracy(spec: SuiteSpec): number | null {
  const dataset = spec.target.dataset;
  // Image folders and CSV tables name their classes only in the data: no chance line for them.
  const classes =
    dataset.kind === 'mnist'
      ? (dataset.classes?.length ?? 10)
      : dataset.kind === 'idx'
        ? (dataset.classes?.length ?? dataset.classNames?.length ?? null)
        : null;
  return classes ? 1 / classes : null;
}
