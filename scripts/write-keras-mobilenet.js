#!/usr/bin/env node
/**
 * Writes a MobileNetV2 in the layout `tensorflowjs_converter` gives a Keras model (model.json with the Keras
 * model_config and Keras layer names, weights in 4 MB shards, optionally quantised to uint8 or float16), so that
 * bringing a converted Keras model can be tried and tested without Python or a download. Its weights are random
 * (seeded); batch normalisation's moving statistics are those of a batch of random images.
 *
 * Usage: npm run build:engine && node scripts/write-keras-mobilenet.js OUT_DIR
 *          [--alpha 0.35] [--size 96] [--classes 1000] [--quantize uint8|float16|none] [--seed 0]
 */
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    alpha: { type: 'string', default: '0.35' },
    size: { type: 'string', default: '96' },
    classes: { type: 'string', default: '1000' },
    quantize: { type: 'string', default: 'uint8' },
    seed: { type: 'string', default: '0' },
  },
});
const out = positionals[0];
const alpha = Number(values.alpha);
const size = Number(values.size);
const classes = Number(values.classes);
const seed = Number(values.seed);
const quantize = values.quantize;
if (
  out === undefined ||
  !(alpha > 0) ||
  !Number.isInteger(size) ||
  size < 32 ||
  !Number.isInteger(classes) ||
  classes < 2 ||
  !['uint8', 'float16', 'none'].includes(quantize)
) {
  console.error(
    'usage: node scripts/write-keras-mobilenet.js OUT_DIR [--alpha A>0] [--size N>=32] [--classes N>=2] [--quantize uint8|float16|none] [--seed N]',
  );
  process.exit(2);
}

const { selectBackend } = await import('../dist/benchmarks/backend/select-backend.js');
const { writeKerasMobilenet } = await import('../dist/benchmarks/models/write-keras-mobilenet.js');
await selectBackend('auto');
const written = writeKerasMobilenet(out, { alpha, inputSize: size, classes, seed, quantize });
console.log(`wrote ${written.files.join(', ')} (${(written.bytes / 1024).toFixed(0)} KiB of weights) to ${out}`);
