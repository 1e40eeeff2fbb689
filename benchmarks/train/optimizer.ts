import * as tf from '@tensorflow/tfjs-core';
import { createAdam } from '../backend/wasm-adam.js';

export interface OptimizerSettings {
  optimizer: 'adam' | 'sgd';
  learningRate: number;
}

/** A fresh optimizer instance; the caller disposes it (a model never disposes an optimizer it was given as an instance). */
export function createOptimizer(settings: OptimizerSettings): tf.Optimizer {
  return settings.optimizer === 'adam'
    ? createAdam(settings.learningRate)
    : tf.train.momentum(settings.learningRate, 0.9);
}
