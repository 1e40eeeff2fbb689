import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { UserError } from '../../../benchmarks/errors.js';
import { makeFakeNativeRoot, setFake } from './fake-native.js';

const roots: string[] = [];
function fakeRoot(packages: Parameters<typeof makeFakeNativeRoot>[0]): string {
  const from = makeFakeNativeRoot(packages);
  roots.push(dirname(from));
  return from;
}
const nothingInstalled = join(mkdtempSync(join(tmpdir(), 'tb-no-native-')), 'resolve-from.js');
roots.push(dirname(nothingInstalled));
const probe = (resolveFrom: string): { probe: { resolveFrom: string; cacheFile: null } } => ({
  probe: { resolveFrom, cacheFile: null },
});

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('selectBackend', () => {
  it('forced native backend that is not installed: a UserError naming it, why, and how to fix it', async () => {
    const attempt = selectBackend('tensorflow', probe(nothingInstalled));
    await expect(attempt).rejects.toThrow(UserError);
    await expect(selectBackend('tensorflow', probe(nothingInstalled))).rejects.toThrow(
      'backend "tensorflow" is not available: @tensorflow/tfjs-node is not installed ' +
        '(npm install @tensorflow/tfjs-node; it downloads libtensorflow at install)',
    );
    await expect(selectBackend('tensorflow-gpu', probe(nothingInstalled))).rejects.toThrow(
      /^backend "tensorflow-gpu" is not available: @tensorflow\/tfjs-node-gpu is not installed .*CUDA 11\.2/,
    );
  });

  it('forced native backend that crashes when loaded: a UserError, and this process lives on', async () => {
    setFake('sigill', false);
    await expect(selectBackend('tensorflow-gpu', probe(fakeRoot(['@tensorflow/tfjs-node-gpu'])))).rejects.toThrow(
      /^backend "tensorflow-gpu" is not available: loading it crashed the probe process, which was killed by SIGILL/,
    );
  });

  it('wasm and cpu: the device is the CPU, with how the backend uses it', async () => {
    const handlers = process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection');
    const wasm = await selectBackend('wasm');
    // the wasm module's own process handlers (which print its minified source on any error) are removed
    expect(process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection')).toBe(handlers);
    expect(wasm.name).toBe('wasm');
    expect(wasm.device).toMatch(/^CPU \(wasm, (SIMD, )?1 thread\): .+ \(\d+ cores?\)$/);
    expect(tf.getBackend()).toBe('wasm');
    const cpu = await selectBackend('cpu');
    expect(cpu).toEqual({
      name: 'cpu',
      device: expect.stringMatching(/^CPU \(plain JavaScript, 1 thread\): /) as string,
    });
    expect(tf.getBackend()).toBe('cpu');
    // and its first tensor prints no banner advising tfjs-node (every process of a run printed it)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      tf.tensor1d([1, 2]).dispose();
      expect(warn.mock.calls.flat().join(' ')).not.toMatch(/tfjs-node/);
    } finally {
      warn.mockRestore();
    }
  });

  it('auto without native packages: wasm', async () => {
    const info = await selectBackend('auto', probe(nothingInstalled));
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('auto: a GPU package without a usable GPU is passed over for tfjs-node', async () => {
    setFake('ok', false);
    const info = await selectBackend('auto', probe(fakeRoot(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'])));
    expect(info).toEqual({ name: 'tensorflow', device: expect.stringMatching(/^CPU \(libtensorflow\): /) as string });
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('auto: a GPU package without a usable GPU is used, on the CPU, when it is the only native one', async () => {
    setFake('ok', false);
    const info = await selectBackend('auto', probe(fakeRoot(['@tensorflow/tfjs-node-gpu'])));
    expect(info.name).toBe('tensorflow-gpu');
    expect(info.device).toMatch(
      /^CPU \(tfjs-node-gpu loaded but found no usable GPU: could not load libcudart\.so\.11\.0\): /,
    );
  });

  it('auto: a GPU that TensorFlow uses is recorded with its name', async () => {
    setFake('ok', true);
    const info = await selectBackend('auto', probe(fakeRoot(['@tensorflow/tfjs-node-gpu'])));
    expect(info).toEqual({ name: 'tensorflow-gpu', device: 'GPU: NVIDIA Fake 9000' });
    // and the backend computes
    expect(tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync()[0])).toBe(2);
    await selectBackend('cpu');
  });
});
