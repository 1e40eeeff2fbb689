/**
 * MobileNetV2 at 224×224×3 on the wasm backend (the catalogue's input size), and tensors too large for its 32-bit
 * memory: one WasmMemoryError naming the shape, the batch and the limit, with the backend still usable after it
 * (before, a tensor of 4 GiB or more wrapped malloc's byte count and Tile threw `Invalid typed array length`, and a
 * malloc that found no room returned address 0, which the backend then wrote over).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import {
  ACTIVATION_BUDGET,
  guardWasmMemory,
  inferenceBatch,
  KERNEL_HEADROOM,
  WASM32_LIMIT,
  WasmMemoryError,
  type GuardedBackend,
} from '../../../benchmarks/backend/wasm-memory.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { evaluate } from '../../../benchmarks/train/metrics.js';
import { toSplit } from '../../../benchmarks/train/tensor-splits.js';
import { randomValues } from '../../support/random-values.js';

const SIDE = 224;

describe('the wasm backend at 224×224 and at its memory limit', () => {
  beforeAll(async () => {
    await activateWasm();
    await tf.setBackend('wasm');
  });

  it('trains MobileNetV2 (alpha 0.35) at 224×224×3: a forward and backward step on a batch of 2', () => {
    const before = tf.memory().numTensors;
    const model = buildModel({ name: 'mobilenet-v2', alpha: 0.35, inputSize: SIDE }, [SIDE, SIDE, 3], 10, 1);
    try {
      const { loss, norm } = tf.tidy(() => {
        const x = tf.tensor4d(randomValues(2 * SIDE * SIDE * 3, 5), [2, SIDE, SIDE, 3]);
        const y = tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10);
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(
          () => tf.mean(tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)),
          vars,
        );
        const squares = vars.map((v) => tf.sum(tf.square(grads[v.name]!)));
        return { loss: value.dataSync()[0]!, norm: tf.addN(squares).dataSync()[0]! };
      });
      expect(Number.isFinite(loss)).toBe(true);
      expect(loss).toBeGreaterThan(0);
      expect(Number.isFinite(norm)).toBe(true);
      expect(norm).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluates grayscale 28×28 images fitted to 224×224×3, in batches its memory holds', async () => {
    const model = buildModel({ name: 'mobilenet-v2', alpha: 1, inputSize: SIDE }, [SIDE, SIDE, 3], 10, 1);
    try {
      // 500 examples of MobileNetV2 1.0 at 224 would make a 2.4 GB first-block activation
      const batch = inferenceBatch(model, 500);
      expect(batch).toBeLessThan(500);
      expect(batch).toBeGreaterThan(0);
      const count = 3;
      const images = Uint8Array.from(randomValues(count * 28 * 28, 9), (v) => Math.floor((v + 1) * 127));
      const classNames = Array.from({ length: 10 }, (_, i) => String(i));
      const data = {
        images,
        labels: Int32Array.from([1, 2, 3]),
        count,
        height: 28,
        width: 28,
        channels: 1,
        classNames,
      };
      const split = toSplit(data, undefined, undefined, { shape: [SIDE, SIDE, 3], scaling: '[-1,1]' });
      const before = tf.memory().numTensors;
      const metrics = await evaluate(model, split);
      split.y.dispose();
      expect(Number.isFinite(metrics.loss)).toBe(true);
      expect(tf.memory().numTensors).toBe(before - 1);
    } finally {
      model.dispose();
    }
  });

  it("leaves a model's batch alone where its activations are small (MobileNetV2 0.35 at 96×96)", () => {
    const model = buildModel({ name: 'mobilenet-v2', alpha: 0.35, inputSize: 96 }, [96, 96, 3], 10, 1);
    try {
      expect(inferenceBatch(model, 500)).toBe(500);
    } finally {
      model.dispose();
    }
    expect(ACTIVATION_BUDGET).toBeLessThan(WASM32_LIMIT / 4);
  });

  it('refuses a tensor of 4 GiB or more in one error naming its shape, batch and the limit; the backend still works', () => {
    const before = tf.memory().numTensors;
    let thrown: unknown = null;
    try {
      // [300, 1000, 1000, 4] float32 is 4.8 GB: its byte count wrapped to 0.5 GB in malloc
      tf.tidy(() => tf.tile(tf.ones([1, 1, 1, 4]), [300, 1000, 1000, 1]));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WasmMemoryError);
    const message = (thrown as Error).message;
    expect(message).toContain('[300, 1000, 1000, 4]');
    expect(message).toContain('4 GiB');
    expect(message).toContain('300');
    expect(message).toContain('at most 150');
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), 1).dataSync()))).toEqual([2, 3, 4]);
  });

  it('turns a malloc that found no room (address 0) or ends in the headroom into the error, writing nothing', () => {
    const heap = new Uint8Array(64);
    const freed: number[] = [];
    const moved: number[] = [];
    const make = (address: number): GuardedBackend => {
      const backend: GuardedBackend = {
        wasm: { HEAPU8: heap, _malloc: () => address, _free: (offset) => freed.push(offset) },
        move(_dataId, values, shape) {
          const offset = backend.wasm._malloc(shape.reduce((a, b) => a * b, 4)) >>> 0;
          if (values !== null) moved.push(offset);
        },
      };
      guardWasmMemory(backend);
      return backend;
    };
    expect(() => make(0).move({}, new Float32Array(8), [2, 4], 'float32', 1)).toThrow(WasmMemoryError);
    const nearTop = WASM32_LIMIT - KERNEL_HEADROOM - 16;
    // the wrapped malloc sees addresses as unsigned: above 2 GiB they come back negative from wasm
    expect(() => make(nearTop | 0).move({}, new Float32Array(8), [2, 4], 'float32', 1)).toThrow(/shape \[2, 4\]/);
    expect(freed).toEqual([nearTop]);
    expect(moved).toEqual([]);
    make(1024).move({}, new Float32Array(8), [2, 4], 'float32', 1);
    expect(moved).toEqual([1024]);
  });
});
