/**
 * The training step of mobilenet-split's partial fine-tuning top alone, for `bench:perf`: the layers that train when
 * the frozen prefix's features are computed once (from `trainFrom`, block_13_expand, to the head), at their real
 * shapes (the suite's batch, the features at 2×2, its classes), fed random features. What is left of a partial
 * trial's time once nothing frozen runs twice is this step, so its top kernels say where that trial's time goes.
 *
 *     const step = partialTopStep();   // one Adam step of the top per call
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '../models/architectures.js';
import { buildTrialModel } from '../models/transfer-model.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import { loadSuite } from '../spec/load-suite.js';
import { splitAtFrozen } from '../train/frozen-features.js';
import { lossAndCorrect } from '../train/metrics.js';
import { createOptimizer } from '../train/optimizer.js';
import type { TrainingStep } from '../train/reference-step.js';
import { formatTopKernels, profileKernels } from './kernel-profile.js';

export interface PartialTop extends TrainingStep {
  /** Shape of one example's features (the top's input). */
  featureShape: number[];
  batchSize: number;
  /** Trainable variables of the top. */
  variables: number;
}

/**
 * One Adam step of mobilenet-split's partial top (random base weights: the speed is the same) on a fixed batch of
 * random features, as train-loop.ts runs it (loss times the batch size, the correct count kept).
 */
export function partialTopStep(seed = 1): PartialTop {
  const { spec } = loadSuite({ kind: 'builtin', name: 'mobilenet-split' });
  const arch = spec.architecture;
  const settings = spec.approaches.partial;
  if (typeof arch === 'string' || arch.name !== 'mobilenet-v2' || !settings)
    throw new Error('the mobilenet-split suite does not name mobilenet-v2 with partial settings');
  const classes = 5;
  const side = arch.inputSize;
  const base = buildModel(arch, [side, side, 3], classes, seed);
  const model = buildTrialModel({
    approach: 'partial',
    arch,
    inputShape: [side, side, 3],
    numClasses: classes,
    seed,
    base,
    cutLayer: featuresLayer(arch),
    trainFrom: settings.trainFrom,
  });
  const split = splitAtFrozen(model);
  if (split === null) throw new Error('the partial model has no frozen prefix');
  const batchSize = settings.batchSize;
  const rates = settings.learningRate;
  const learningRate = Array.isArray(rates) ? rates[0]! : rates;
  const optimizer = createOptimizer({ optimizer: settings.optimizer, learningRate });
  const xs = tf.randomNormal([batchSize, ...split.featureShape], 0, 1, 'float32', seed);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([batchSize], 0, classes, 'int32', seed + 1), classes));
  const variables = split.top.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async (): Promise<void> => {
    let correct: tf.Scalar | undefined;
    const loss = tf.tidy(() =>
      optimizer.minimize(
        () => {
          const predictions = split.top.apply(xs, { training: true }) as tf.Tensor;
          const step = lossAndCorrect(predictions, ys, batchSize);
          correct = step.correct;
          return step.loss;
        },
        true,
        variables,
      )!,
    );
    await loss.data();
    tf.dispose([loss, correct!]);
  };
  const dispose = (): void => {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
    base.dispose();
  };
  return { step, dispose, featureShape: split.featureShape, batchSize, variables: variables.length };
}

/** Prints the partial top's step time and its top kernels (CPU clock), for bench:perf. */
export async function partialTopKernels(top = 10): Promise<void> {
  const training = partialTopStep();
  try {
    const profile = await profileKernels(training.step, { repeats: 20, warmup: 3, clock: 'cpu' });
    console.log(
      `mobilenet-split partial top step (batch ${training.batchSize}, features ${training.featureShape.join('×')}, ` +
        `${training.variables} variables): ${profile.stepMs.toFixed(2)} ms CPU, top kernels:`,
    );
    for (const line of formatTopKernels(profile, top)) console.log(line);
  } finally {
    training.dispose();
  }
}
