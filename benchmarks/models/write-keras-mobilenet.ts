import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { saveConvertedLayout, type WeightQuantization } from './converted-format.js';
import { buildKerasMobilenetV2 } from './mobilenet-v2.js';

export interface KerasMobilenetOptions {
  alpha: number;
  inputSize: number;
  classes: number;
  seed: number;
  quantize: WeightQuantization;
}

/**
 * Sets a fresh model's batch normalisation moving statistics to those of one batch of random images (momentum 0 for
 * that pass), so that inference mode keeps activations at the scale training mode gives them; without it, the moving
 * statistics of a fresh model (mean 0, variance 1) let the signal fade to nothing through dozens of normalisations.
 */
export function calibrateBatchNorm(model: tfl.LayersModel, inputSize: number, seed: number, batch = 32): void {
  const norms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as {
    momentum: number;
  }[];
  const momenta = norms.map((l) => l.momentum);
  norms.forEach((l) => (l.momentum = 0));
  try {
    tf.tidy(() => {
      const x = tf.randomUniform([batch, inputSize, inputSize, 3], -1, 1, 'float32', seed);
      model.apply(x, { training: true });
    });
  } finally {
    norms.forEach((l, i) => (l.momentum = momenta[i]!));
  }
}

/**
 * Builds Keras' MobileNetV2 (see buildKerasMobilenetV2), calibrates its batch normalisation (calibrateBatchNorm),
 * and writes it to `dir` in the converter's layout. Runs on the active backend.
 */
export function writeKerasMobilenet(dir: string, options: KerasMobilenetOptions): { files: string[]; bytes: number } {
  const model = buildKerasMobilenetV2(options);
  try {
    calibrateBatchNorm(model, options.inputSize, options.seed);
    return saveConvertedLayout(model, dir, {
      quantize: options.quantize,
      generatedBy: `transfer-bench scripts/write-keras-mobilenet.js (Keras MobileNetV2 topology, alpha ${options.alpha}, ${options.inputSize}×${options.inputSize}×3, ${options.classes} classes, random weights from seed ${options.seed})`,
    });
  } finally {
    model.dispose();
  }
}
