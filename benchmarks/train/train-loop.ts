import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EpochRecord } from '../domain.js';
import { createRng, shuffleInPlace } from '../datasets/seeded-random.js';
import { createOptimizer, type OptimizerSettings } from './optimizer.js';
import { evaluate, lossAndCorrect, type Split } from './metrics.js';

export interface TrainBudget extends OptimizerSettings {
  batchSize: number;
  epochs: number;
  /** Floor on optimiser updates: the budget is max(minSteps, epochs × steps per epoch), rounded up to whole epochs. */
  minSteps: number;
  /**
   * Evaluations in a row without a validation-loss improvement after which training stops. The count runs from the
   * first evaluation; only the stop waits until minSteps updates are done. null: never stop early.
   */
  patience: number | null;
}

export interface TrainLoopOptions {
  model: LayersModel;
  budget: TrainBudget;
  train: Split;
  /** Early stopping and model selection use this split; never the test set. */
  val: Split;
  /** Evaluate every this many epochs, or as many as it takes to reach this many steps. */
  evalEverySteps: number;
  seed: number;
  onEvaluation?: (record: EpochRecord, maxEpochs: number) => void;
  /**
   * Asked after each evaluation (with the lowest validation loss so far): true stops training there, as `pruned`.
   * Learning-rate tuning uses it to stop a candidate that trails the best one.
   */
  shouldPrune?: (record: EpochRecord, bestValLoss: number) => boolean;
  /** Stop after exactly this many optimiser updates (mid-epoch if need be), evaluate once more and keep the last weights. */
  stopAtStep?: number;
}

export interface TrainLoopResult {
  diverged: boolean;
  /** Stopped by `shouldPrune`. */
  pruned: boolean;
  /** Lowest validation loss of any evaluation (Infinity when none was finite). */
  bestValLoss: number;
  epochRecords: EpochRecord[];
  /** Epoch whose weights were kept (lowest validation loss), or the last one without early stopping. */
  bestEpoch: number;
  epochs: number;
  steps: number;
  samples: number;
  maxEpochs: number;
  peakBytes: number;
  seconds: number;
}

/** How many epochs a budget allows for a training set of `trainCount` examples. */
export function plannedEpochs(
  budget: Pick<TrainBudget, 'batchSize' | 'epochs' | 'minSteps'>,
  trainCount: number,
): number {
  const stepsPerEpoch = Math.ceil(trainCount / budget.batchSize);
  return Math.max(budget.epochs, Math.ceil(budget.minSteps / stepsPerEpoch));
}

/**
 * Trains `model` in place with a step budget, evaluating on the validation split at epoch boundaries and keeping
 * the weights of the evaluation with the lowest validation loss (when early stopping is on).
 */
export async function trainLoop(options: TrainLoopOptions): Promise<TrainLoopResult> {
  const { model, budget, train, val } = options;
  const started = performance.now();
  const stepsPerEpoch = Math.ceil(train.count / budget.batchSize);
  const stopAtStep = options.stopAtStep;
  const maxEpochs =
    stopAtStep !== undefined ? Math.max(1, Math.ceil(stopAtStep / stepsPerEpoch)) : plannedEpochs(budget, train.count);
  const evalEveryEpochs = Math.max(1, Math.ceil(options.evalEverySteps / stepsPerEpoch));
  const optimizer = createOptimizer(budget);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = createRng(options.seed);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const records: EpochRecord[] = [];
  let best: { loss: number; epoch: number; weights: tf.Tensor[] } | null = null;
  let evalsSinceBest = 0;
  let steps = 0;
  let samples = 0;
  let peakBytes = tf.memory().numBytes;
  let diverged = false;
  let pruned = false;
  let bestValLoss = Infinity;
  let epoch = 0;
  let running = { loss: tf.scalar(0), correct: tf.scalar(0), count: 0 };

  try {
    while (epoch < maxEpochs) {
      epoch++;
      shuffleInPlace(order, rng);
      for (let start = 0; start < train.count; start += budget.batchSize) {
        if (stopAtStep !== undefined && steps >= stopAtStep) break;
        const batch = order.slice(start, start + budget.batchSize);
        let correct: tf.Scalar | undefined;
        const next = tf.tidy(() => {
          const xb = train.inputs(batch);
          const yb = tf.gather(train.y, tf.tensor1d(batch, 'int32'));
          const loss = optimizer.minimize(
            () => {
              const predictions = model.apply(xb, { training: true }) as tf.Tensor;
              // the loss times the batch size and the correct count, as one operation on the tape (metrics.ts)
              const step = lossAndCorrect(predictions, yb, batch.length);
              correct = step.correct;
              return step.loss;
            },
            true,
            variables,
          );
          if (!loss || !correct) throw new Error('optimizer returned no loss');
          return {
            loss: tf.add(running.loss, loss) as tf.Scalar,
            correct: tf.add(running.correct, correct) as tf.Scalar,
          };
        });
        (correct as tf.Scalar | undefined)?.dispose();
        running.loss.dispose();
        running.correct.dispose();
        running = { ...next, count: running.count + batch.length };
        steps++;
        samples += batch.length;
      }
      peakBytes = Math.max(peakBytes, tf.memory().numBytes);
      const lastStep = stopAtStep !== undefined && steps >= stopAtStep;
      if (epoch % evalEveryEpochs !== 0 && epoch !== maxEpochs && !lastStep) continue;

      const trainLoss = (await running.loss.data())[0]! / running.count;
      const trainAccuracy = (await running.correct.data())[0]! / running.count;
      running.loss.dispose();
      running.correct.dispose();
      running = { loss: tf.scalar(0), correct: tf.scalar(0), count: 0 };
      const valMetrics = await evaluate(model, val);
      const record: EpochRecord = {
        epoch,
        step: steps,
        trainLoss,
        trainAccuracy,
        valLoss: valMetrics.loss,
        valAccuracy: valMetrics.accuracy,
        elapsedSeconds: (performance.now() - started) / 1000,
      };
      records.push(record);
      options.onEvaluation?.(record, maxEpochs);
      if (!Number.isFinite(trainLoss) || !Number.isFinite(valMetrics.loss)) {
        diverged = true;
        break;
      }
      bestValLoss = Math.min(bestValLoss, valMetrics.loss);
      if (lastStep) break;
      if (options.shouldPrune?.(record, bestValLoss)) {
        pruned = true;
        break;
      }
      if (budget.patience === null) continue;
      if (best === null || valMetrics.loss < best.loss) {
        best?.weights.forEach((w) => w.dispose());
        best = { loss: valMetrics.loss, epoch, weights: model.getWeights().map((w) => tf.clone(w)) };
        evalsSinceBest = 0;
      } else if (++evalsSinceBest >= budget.patience && steps >= budget.minSteps) {
        break;
      }
    }
    if (best !== null && !diverged) model.setWeights(best.weights);
  } finally {
    best?.weights.forEach((w) => w.dispose());
    running.loss.dispose();
    running.correct.dispose();
    optimizer.dispose();
  }
  return {
    diverged,
    pruned,
    bestValLoss,
    epochRecords: records,
    bestEpoch: best?.epoch ?? epoch,
    epochs: epoch,
    steps,
    samples,
    maxEpochs,
    peakBytes,
    seconds: (performance.now() - started) / 1000,
  };
}
