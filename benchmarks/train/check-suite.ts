import { countPerClass } from '../datasets/labelled-images.js';
import { loadTask } from '../datasets/load-dataset.js';
import { trainingSubset } from '../datasets/training-subset.js';
import { UserError } from '../errors.js';
import { buildTrialModel } from '../models/transfer-model.js';
import type { CheckJob, CheckSummary } from './jobs.js';
import { cachedModel, cachedTask } from './task-cache.js';

/** Everything that can be wrong with a suite's inputs, found before any trial is stored or trained. */
export async function checkSuite(job: CheckJob): Promise<CheckSummary> {
  const { spec, baseDir } = job;
  const target = await cachedTask(spec.target.dataset, spec.target.testPerClass, baseDir);
  const numClasses = target.pool.classNames.length;
  countPerClass(target.pool.labels, numClasses).forEach((count, k) => {
    if (count < 2) {
      throw new UserError(
        `${target.classLabel(k)} has ${count} example${count === 1 ? '' : 's'} left for training after ${spec.target.testPerClass} are held out for testing; every class needs at least 2 (one to train, one to validate) even at the smallest size, ${spec.sizes[0]}: add examples to it, or lower testPerClass`,
      );
    }
  });
  for (const size of spec.sizes) {
    trainingSubset(target.pool.labels, numClasses, size, spec.seeds[0]!, spec.validationFraction);
  }
  const shape = [target.pool.height, target.pool.width, target.pool.channels];
  if (spec.pretrain) {
    const source = await loadTask(spec.pretrain.dataset, spec.pretrain.testPerClass, { baseDir });
    const sourceShape = [source.pool.height, source.pool.width, source.pool.channels];
    if (source.standardise !== target.standardise) {
      throw new UserError(
        `the source data is ${source.standardise ? 'a table' : 'images'} but the target data is ${target.standardise ? 'a table' : 'images'}: pretrain on the same kind of data`,
      );
    }
    if (sourceShape.join('×') !== shape.join('×')) {
      if (target.standardise) {
        throw new UserError(
          `the source table has ${source.pool.channels} feature columns but the target table has ${target.pool.channels}: pretraining needs the same feature columns (name them with "features")`,
        );
      }
      throw new UserError(
        `source images are ${sourceShape.join('×')} but target images are ${shape.join('×')}: pretraining and target data must have the same image shape`,
      );
    }
  }
  if (job.base) {
    const model = await cachedModel(job.base.path);
    const names = model.layers.map((l) => l.name);
    if (!names.includes(job.base.cutLayer)) {
      throw new UserError(
        `pretrained model ${job.base.path} has no layer "${job.base.cutLayer}" to cut at (layers: ${names.join(', ')})`,
      );
    }
    const inputShape = model.inputs[0]?.shape.slice(1) ?? [];
    if (inputShape.join('×') === shape.join('×') && spec.approaches.scratch) {
      // Scratch re-draws the brought model's weights: an initializer that cannot be re-drawn fails here, not per trial.
      buildTrialModel({
        approach: 'scratch',
        arch: spec.architecture,
        inputShape: [target.pool.height, target.pool.width, target.pool.channels],
        numClasses,
        seed: 0,
        base: model,
        cutLayer: job.base.cutLayer,
      }).dispose();
    }
    if (inputShape.join('×') !== shape.join('×')) {
      throw new UserError(
        `pretrained model ${job.base.path} takes inputs of shape ${inputShape.join('×')} but the target images are ${shape.join('×')}`,
      );
    }
  }
  return {
    targetDescription: target.description,
    poolSize: target.pool.count,
    testSize: target.test.count,
    numClasses,
    notices: target.notices,
  };
}
