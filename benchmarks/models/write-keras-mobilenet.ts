import * as tf from '@tensorflow/tfjs-core';
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
 * Builds Keras' MobileNetV2 (see buildKerasMobilenetV2), gives its batch normalisation moving statistics from a few
 * training-mode passes over random images (momentum as built), and writes it to `dir` in the converter's layout.
 * Runs on the active backend.
 */
export function writeKerasMobilenet(dir: string, options: KerasMobilenetOptions): { files: string[]; bytes: number } {
  const model = buildKerasMobilenetV2(options);
  try {
    const batch = 8;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        const x = tf.randomUniform(
          [batch, options.inputSize, options.inputSize, 3],
          -1,
          1,
          'float32',
          options.seed + i,
        );
        model.apply(x, { training: true });
      });
    }
    return saveConvertedLayout(model, dir, {
      quantize: options.quantize,
      generatedBy: `transfer-bench scripts/write-keras-mobilenet.js (Keras MobileNetV2 topology, alpha ${options.alpha}, ${options.inputSize}×${options.inputSize}×3, ${options.classes} classes, random weights from seed ${options.seed})`,
    });
  } finally {
    model.dispose();
  }
}
