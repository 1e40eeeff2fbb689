import type { SuiteSpec } from '../contract.js';

/**
 * Accuracy of guessing uniformly among the target classes, when the suite says how many there are. Image folders and
 * CSV tables name their classes only in the data, so they get no chance line from the spec alone.
 */
export function chanceAccuracy(spec: SuiteSpec): number | null {
  const dataset = spec.target.dataset;
  if (dataset.kind === 'folder' || dataset.kind === 'csv' || dataset.kind === 'text') return null;
  const classes = dataset.classes?.length ?? (dataset.kind === 'mnist' ? 10 : (dataset.classNames?.length ?? null));
  return classes ? 1 / classes : null;
}

/** How many examples each trial's test accuracy was measured on, when the spec says (the analysis' testSetSize). */
export { testSetSize as chartTestExamples } from '../analysis/accuracy-interval.js';
