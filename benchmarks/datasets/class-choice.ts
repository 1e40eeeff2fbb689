/** Which label values of a source become the task's classes, and what they are called. */
import { UserError } from '../errors.js';

/** Distinct label values present, ascending. */
export function distinctLabelValues(labelValues: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < labelValues.length; i++) seen.add(labelValues[i] as number);
  return [...seen].sort((a, b) => a - b);
}

/** "0–9" for a run of consecutive values, else "0, 3, 7". */
export function formatValues(values: readonly number[]): string {
  if (values.length === 0) return 'none';
  const first = values[0] as number;
  const last = values[values.length - 1] as number;
  const consecutive = values.every((v, i) => v === first + i);
  if (consecutive && values.length > 2) return `${first}–${last}`;
  const shown = values.slice(0, 20).join(', ');
  return values.length > 20 ? `${shown}, … (${values.length} values)` : shown;
}

/**
 * The classes of a task, in label order: `requested` when given (each must occur in the labels), else every
 * label value present, ascending. `labelsFile` names the labels for the error message.
 */
export function chooseClasses(
  labelValues: ArrayLike<number>,
  requested: readonly number[] | undefined,
  labelsFile: string,
): number[] {
  const present = distinctLabelValues(labelValues);
  if (requested === undefined) return present;
  const presentSet = new Set(present);
  const missing = requested.filter((c) => !presentSet.has(c));
  if (missing.length > 0) {
    throw new UserError(
      `${labelsFile} has no examples of class ${formatValues(missing)} asked for in "classes" (its labels are ${formatValues(present)})`,
    );
  }
  return [...requested];
}

/**
 * Names of the chosen classes: `classNames[value]` when the source names its label values, else the value as
 * a string. `classNames` names every label value of the files (index = label value), so it must be longer
 * than the largest label present.
 */
export function nameClasses(
  classes: readonly number[],
  classNames: readonly string[] | undefined,
  largestLabel: number,
  source: string,
): string[] {
  if (classNames === undefined) return classes.map(String);
  if (largestLabel >= classNames.length) {
    throw new UserError(
      `${source}: label ${largestLabel} is out of range for "classNames", which names ${classNames.length} label values (0–${classNames.length - 1}); give one name per label value, ${largestLabel + 1} or more`,
    );
  }
  return classes.map((c) => classNames[c] as string);
}
