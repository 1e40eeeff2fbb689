/**
 * Writing a Layers model to disk as `tensorflowjs_converter` writes a converted Keras model: `model.json` whose
 * `modelTopology` holds the Keras `model_config`, and weights in shards of at most 4 MB (`group1-shard1of2.bin`, …),
 * optionally quantised as the converter's `--quantize_uint8` and `--quantize_float16` do:
 *
 * - uint8: per weight, q = round((v − min) / scale) with scale = (max − min) / 255, stored as bytes; the manifest entry
 *   keeps `dtype: 'float32'` and gains `quantization: { dtype: 'uint8', scale, min }`. tfjs-core's `decodeWeights`
 *   restores v ≈ q · scale + min (error at most scale / 2).
 * - float16: IEEE half precision, `quantization: { dtype: 'float16' }`.
 *
 * Used by scripts/write-keras-mobilenet.js to make a model that looks like a converted Keras MobileNetV2 without
 * Python, and by the tests that bring such a model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type WeightQuantization = 'none' | 'uint8' | 'float16';

const SHARD_BYTES = 4 * 1024 * 1024;

/** float32 → IEEE 754 half precision (round to nearest even; overflow to infinity; subnormals kept). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

interface EncodedWeight {
  spec: tf.io.WeightsManifestEntry;
  bytes: Uint8Array;
}

function encode(name: string, values: Float32Array, shape: number[], quantize: WeightQuantization): EncodedWeight {
  const spec: tf.io.WeightsManifestEntry = { name, shape, dtype: 'float32' };
  if (quantize === 'uint8') {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (values.length === 0) min = max = 0;
    const scale = max > min ? (max - min) / 255 : 1;
    const bytes = Uint8Array.from(values, (v) => Math.min(255, Math.max(0, Math.round((v - min) / scale))));
    spec.quantization = { dtype: 'uint8', scale, min };
    return { spec, bytes };
  }
  if (quantize === 'float16') {
    const halves = Uint16Array.from(values, toFloat16Bits);
    spec.quantization = { dtype: 'float16' };
    return { spec, bytes: new Uint8Array(halves.buffer) };
  }
  return { spec, bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

/**
 * Writes `model` to `dir` in the converter's layout (see above). `generatedBy` says what made the model; the
 * manifest's `convertedBy` names this writer, never the Python converter.
 */
export function saveConvertedLayout(
  model: tfl.LayersModel,
  dir: string,
  options: { quantize: WeightQuantization; generatedBy: string },
): { files: string[]; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const encoded = model.weights.map((w) => {
    const value = w.read();
    return encode(w.originalName, value.dataSync() as Float32Array, value.shape, options.quantize);
  });
  // consecutive shards of at most 4 MB, as the converter splits them
  const shards: EncodedWeight[][] = [[]];
  let used = 0;
  for (const weight of encoded) {
    if (used > 0 && used + weight.bytes.byteLength > SHARD_BYTES) {
      shards.push([]);
      used = 0;
    }
    shards[shards.length - 1]!.push(weight);
    used += weight.bytes.byteLength;
  }
  const paths = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
  let bytes = 0;
  shards.forEach((shard, i) => {
    const size = shard.reduce((sum, w) => sum + w.bytes.byteLength, 0);
    const data = new Uint8Array(size);
    let offset = 0;
    for (const w of shard) {
      data.set(w.bytes, offset);
      offset += w.bytes.byteLength;
    }
    writeFileSync(join(dir, paths[i]!), data);
    bytes += size;
  });
  const modelJson = {
    format: 'layers-model',
    generatedBy: options.generatedBy,
    convertedBy: `transfer-bench converted-format.ts (tensorflowjs_converter layout, quantize ${options.quantize})`,
    modelTopology: {
      keras_version: `tfjs-layers ${tfl.version_layers}`,
      backend: 'tensor_flow.js',
      model_config: model.toJSON(null, false),
    },
    weightsManifest: [{ paths: paths.map((p) => `./${p}`), weights: encoded.map((w) => w.spec) }],
  };
  // weights first: a model.json on disk means its weights are there too
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
  return { files: ['model.json', ...paths], bytes };
}
