/**
 * Test fixtures for the model catalogue: a folder laid out as the catalogue's host is (`<root><hostPath>`, model.json
 * beside its weight shards), holding models with the published topology, names and shapes but random weights (seeded,
 * batch normalisation calibrated): MobileNetV2 without its top as Teachable Machine hosts it, and tfjs-models'
 * MobileNetV1 with its classifier. Tests serve the folder over HTTP (TRANSFER_BENCH_MODEL_HOST) so that nothing is
 * downloaded from the internet. Runs on the active backend.
 */
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import type { CatalogueEntry } from '../spec/model-catalogue.js';
import { saveConvertedLayout, type WeightQuantization } from './converted-format.js';
import { buildKerasMobilenetV2 } from './mobilenet-v2.js';
import { buildKerasMobilenetV1 } from './mobilenet-v1.js';
import { calibrateBatchNorm } from './write-keras-mobilenet.js';

function publishedModel(entry: CatalogueEntry, seed: number): { model: tfl.LayersModel; dispose: () => void } {
  const { alpha, inputSize } = entry;
  if (entry.family === 'mobilenet-v1') {
    const model = buildKerasMobilenetV1({ alpha, inputSize, classes: 1000, seed });
    return { model, dispose: () => model.dispose() };
  }
  // Keras' MobileNetV2(include_top=False): the model ends at out_relu
  const full = buildKerasMobilenetV2({ alpha, inputSize, classes: 1000, seed });
  const model = tfl.model({
    inputs: full.inputs,
    outputs: full.getLayer('out_relu').output as tfl.SymbolicTensor,
    name: `mobilenetv2_${alpha.toFixed(2)}_${inputSize}`,
  });
  return { model, dispose: () => full.dispose() };
}

/**
 * Writes `entry`'s fixture under `root` as the host lays it out; returns the folder of its model.json. `quantize`
 * stores the weights as the converter's `--quantize_uint8` / `--quantize_float16` do (a quarter or half the bytes;
 * the catalogue checks sizes and shapes the same way).
 */
export function writeCatalogueFixture(
  root: string,
  entry: CatalogueEntry,
  seed = 0,
  quantize: WeightQuantization = 'none',
): string {
  const dir = join(root, ...entry.hostPath.split('/').slice(0, -1));
  const { model, dispose } = publishedModel(entry, seed);
  try {
    calibrateBatchNorm(model, entry.inputSize, seed, 4);
    saveConvertedLayout(model, dir, {
      quantize,
      generatedBy: `transfer-bench write-catalogue-fixture.ts (${entry.name} topology, random weights from seed ${seed}, quantize ${quantize})`,
    });
    return dir;
  } finally {
    dispose();
  }
}
