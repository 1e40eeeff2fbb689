import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fitScaling } from '../datasets/standardise.js';
import { architectureInputShape, buildModel } from '../models/architectures.js';
import { estimateTrainingFlops } from '../models/flops.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { evaluate } from './metrics.js';
import { disposeSplit, toSplit } from './tensor-splits.js';
import { trainLoop } from './train-loop.js';
import type { TrialTask } from './train-trial.js';

export interface PretrainedModel {
  /** The caller disposes it. */
  model: LayersModel;
  epochs: number;
  wallSeconds: number;
  trainFlops: number;
  sourceTestAccuracy: number;
}

export type PretrainProgress = (epoch: number, epochs: number, loss: number, accuracy: number) => void;

/**
 * Trains the suite's architecture on the source task (all of its pool; its test set reported on) on the active
 * backend. Reads no files (the same code runs bundled in a browser page); throws when pretraining diverges.
 */
export async function pretrainModel(
  spec: SuiteSpec,
  task: TrialTask,
  onEpoch: PretrainProgress,
): Promise<PretrainedModel> {
  const pretrain = spec.pretrain;
  if (!pretrain) throw new Error(`suite ${spec.name} has no pretraining stage`);
  const numClasses = task.pool.classNames.length;
  const inputShape = architectureInputShape(spec.architecture, [task.pool.height, task.pool.width, task.pool.channels]);
  const model = buildModel(spec.architecture, inputShape, numClasses, pretrain.seed);
  const adapter = task.standardise ? undefined : { shape: inputShape, scaling: spec.pixelScaling };
  const scaling = task.standardise
    ? fitScaling(
        task.pool,
        Int32Array.from({ length: task.pool.count }, (_, i) => i),
      )
    : undefined;
  const train = toSplit(task.pool, undefined, scaling, adapter);
  const test = toSplit(task.test, undefined, scaling, adapter);
  try {
    const loop = await trainLoop({
      model,
      budget: {
        optimizer: 'adam',
        learningRate: pretrain.learningRate,
        batchSize: pretrain.batchSize,
        epochs: pretrain.epochs,
        minSteps: 0,
        patience: null,
      },
      train,
      val: test,
      evalEverySteps: 1,
      seed: pretrain.seed,
      onEvaluation: (record, maxEpochs) => onEpoch(record.epoch, maxEpochs, record.trainLoss, record.trainAccuracy),
    });
    if (loop.diverged) throw new Error('pretraining diverged (loss became NaN): lower pretrain.learningRate');
    return {
      model,
      epochs: loop.epochs,
      wallSeconds: loop.seconds,
      trainFlops: estimateTrainingFlops(model, loop.samples),
      sourceTestAccuracy: (await evaluate(model, test)).accuracy,
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    disposeSplit(train);
    disposeSplit(test);
  }
}
