/**
 * The held-out test set of a task: a fixed number of examples per class, drawn with a constant seed so it is
 * the same for every trial, every seed and every suite that uses the same data.
 */
import { UserError } from '../errors.js';
import { indicesByLabel } from './raw-examples.js';
import { createRng, deriveSeed, shuffleInPlace } from './seeded-random.js';

/** Not a trial seed: only fixes which examples are held out for testing. */
const TEST_SPLIT_SEED = 0x7e57_5eed;

export interface PerClassSplit {
  /** `perClass` examples of each class, ascending. */
  picked: Int32Array;
  /** All other examples of the chosen classes, ascending. */
  rest: Int32Array;
}

/**
 * Picks `perClass` examples of each class in `classes`. Which ones depends only on the label values
 * and the class (each class has its own random stream), not on which other classes are chosen.
 * `describeClass` names a class for the error when it has too few examples.
 */
export function splitPerClass(
  labelValues: ArrayLike<number>,
  classes: readonly number[],
  perClass: number,
  opts: { minRest: number; describeClass: (value: number) => string; purpose: string },
): PerClassSplit {
  if (!Number.isInteger(perClass) || perClass < 1) {
    throw new UserError(`${opts.purpose}: test examples per class must be a positive integer, got ${perClass}`);
  }
  const byLabel = indicesByLabel(labelValues, classes);
  const pickedParts: Int32Array[] = [];
  const restParts: Int32Array[] = [];
  for (const value of classes) {
    const indices = Int32Array.from(byLabel.get(value) ?? []);
    if (indices.length < perClass + opts.minRest) {
      const leave = opts.minRest > 0 ? ` and leave ${opts.minRest} for training` : '';
      throw new UserError(
        `${opts.purpose}: ${opts.describeClass(value)} has ${indices.length} examples, too few to hold out ${perClass} for testing${leave}; lower testPerClass`,
      );
    }
    shuffleInPlace(indices, createRng(deriveSeed(TEST_SPLIT_SEED, value)));
    pickedParts.push(indices.subarray(0, perClass));
    restParts.push(indices.subarray(perClass));
  }
  return { picked: sortedUnion(pickedParts), rest: sortedUnion(restParts) };
}

function sortedUnion(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out.sort();
}
