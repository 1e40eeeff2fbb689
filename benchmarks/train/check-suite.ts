import { loadTask } from '../datasets/load-dataset.js';
import { trainingSubset } from '../datasets/training-subset.js';
import { UserError } from '../errors.js';
import { buildTrialModel } from '../models/transfer-model.js';
import type { CheckJob, CheckSummary } from './jobs.js';
import { cachedModel, cachedTask } from './task-cache.js';

/** Everything that can be wrong with a suite's inputs, found before any trial is stored or trained. */
export async function checkSuite(job: CheckJob): Promise<CheckSummary> {
  const { spec, baseDir } = job;
  const target = cachedTask(spec.target.dataset, spec.target.testPerClass, baseDir);
  const numClasses = target.pool.classNames.length;
  for (const size of spec.sizes) {
    trainingSubset(target.pool.labels, numClasses, size, spec.seeds[0]!, spec.validationFraction);
  }
  const shape = [target.pool.height, target.pool.width, target.pool.channels];
  if (spec.pretrain) {
    const source = loadTask(spec.pretrain.dataset, spec.pretrain.testPerClass, { baseDir });
    const sourceShape = [source.pool.height, source.pool.width, source.pool.channels];
    if (sourceShape.join('×') !== shape.join('×')) {
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
  };
}
