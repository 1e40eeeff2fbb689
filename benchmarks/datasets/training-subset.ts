/**
 * The training subset of one trial: nested across sizes for a seed, stratified by class, with a validation
 * split taken from it. Reproducible from (pool labels, size, seed, validation fraction) alone.
 */
import { UserError } from '../errors.js';
import { countPerClass } from './labelled-images.js';
import { indicesByLabel } from './raw-examples.js';
import { createRng, deriveSeed, shuffleInPlace } from './seeded-random.js';
import { splitEvenly } from './stratified-quotas.js';
import { validationCount } from '../spec/trial-work.js';

/** Random streams per seed: even numbers for class permutations, odd for output order. */
const classStream = (c: number): number => 2 * c;
const TRAIN_ORDER_STREAM = 1;
const VAL_ORDER_STREAM = 3;

/** Validation examples held out of a subset (spec/trial-work.ts, which the estimate and the ETA count with). */
export { validationCount };

function checkArguments(poolLabels: Int32Array, numClasses: number, size: number, validationFraction: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`numClasses must be a positive integer`);
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new UserError(`validation fraction must be between 0 and 1 (exclusive), got ${validationFraction}`);
  }
  if (!Number.isInteger(size) || size < 1)
    throw new UserError(`training-set size must be a positive integer, got ${size}`);
  if (size > poolLabels.length) {
    throw new UserError(
      `training-set size ${size} is larger than the training pool (${poolLabels.length} examples); use sizes up to ${poolLabels.length}`,
    );
  }
  if (size < 2 * numClasses) {
    throw new UserError(
      `training-set size ${size} is too small for ${numClasses} classes: it needs at least ${2 * numClasses} (one training and one validation example per class)`,
    );
  }
}

/**
 * Nested, class-stratified subset of the pool for one seed: for a fixed seed the subset of size 50 contains
 * the subset of size 25. `size` counts train+validation together. Each class gets an even share of `size`
 * (remainders to the lowest class ids; a class with fewer pool examples than its share gives all it has and the
 * others share the rest); within a class the examples come from one seeded permutation of the
 * class's pool examples, so a larger size only appends. Validation takes the first examples of each class's
 * share (round(validationFraction × size) in all, split evenly, at least one per class and leaving at least
 * one training example per class), so the validation sets are nested across sizes too; the training set is
 * the rest. Both are returned in a seeded shuffled order.
 * Throws UserError if size > pool size, size < 2 × number of classes, or a class lacks examples for its share.
 */
export function trainingSubset(
  poolLabels: Int32Array,
  numClasses: number,
  size: number,
  seed: number,
  validationFraction: number,
): { train: Int32Array; val: Int32Array } {
  checkArguments(poolLabels, numClasses, size, validationFraction);
  const available = countPerClass(poolLabels, numClasses);
  const quotas = splitEvenly(size, numClasses, available);
  const valQuotas = splitEvenly(
    validationCount(size, numClasses, validationFraction),
    numClasses,
    quotas.map((q) => q - 1),
  );
  const classes = Array.from({ length: numClasses }, (_, c) => c);
  const byClass = indicesByLabel(poolLabels, classes);
  const train = new Int32Array(size - valQuotas.reduce((a, b) => a + b, 0));
  const val = new Int32Array(size - train.length);
  let trainAt = 0;
  let valAt = 0;
  for (const c of classes) {
    const quota = quotas[c] as number;
    if (quota < 2) {
      throw new UserError(
        `class index ${c} has only ${available[c]} example(s) in the training pool: every class needs at least one training and one validation example`,
      );
    }
    const order = (byClass.get(c) as Int32Array).slice();
    shuffleInPlace(order, createRng(deriveSeed(seed, classStream(c))));
    const valQuota = valQuotas[c] as number;
    val.set(order.subarray(0, valQuota), valAt);
    train.set(order.subarray(valQuota, quota), trainAt);
    valAt += valQuota;
    trainAt += quota - valQuota;
  }
  shuffleInPlace(train, createRng(deriveSeed(seed, TRAIN_ORDER_STREAM)));
  shuffleInPlace(val, createRng(deriveSeed(seed, VAL_ORDER_STREAM)));
  return { train, val };
}
