import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { suiteSpec, type SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { pretrainCacheKey, pretrainEngine } from '../../../benchmarks/train/pretrain-cache.js';
import { KERNELS_VERSION } from '../../../benchmarks/backend/kernels-version.js';

/** A suite pretraining on IDX files in `dir` (the files need not be valid IDX: only their bytes matter here). */
function idxSuite(): SuiteSpec {
  return suiteSpec.parse({
    name: 'idx-source',
    architecture: 'mlp',
    pretrain: {
      dataset: { kind: 'idx', dir: 'data', train: { images: 'train-images', labels: 'train-labels' } },
      epochs: 1,
    },
    target: { dataset: { kind: 'mnist' }, testPerClass: 10 },
    sizes: [10],
    seeds: [0],
    approaches: { finetune: { learningRate: 0.001, epochs: 1 } },
  });
}

describe('pretrainCacheKey', () => {
  it('changes when a source file is replaced at the same path, even with the same size and mtime', () => {
    const base = mkdtempSync(join(tmpdir(), 'tb-key-'));
    mkdirSync(join(base, 'data'));
    const images = join(base, 'data', 'train-images');
    writeFileSync(images, Buffer.from([1, 2, 3, 4]));
    writeFileSync(join(base, 'data', 'train-labels'), Buffer.from([0, 1]));
    const when = new Date('2026-01-01T00:00:00Z');
    utimesSync(images, when, when);
    const spec = idxSuite();
    const before = pretrainCacheKey(spec, base, 'wasm');
    expect(pretrainCacheKey(spec, base, 'wasm')).toBe(before);
    writeFileSync(images, Buffer.from([1, 2, 3, 5]));
    utimesSync(images, when, when);
    const after = pretrainCacheKey(spec, base, 'wasm');
    expect(after).toMatch(/^mlp-[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
  });

  it('covers every file of an image folder', () => {
    const base = mkdtempSync(join(tmpdir(), 'tb-key-'));
    for (const cls of ['a', 'b']) mkdirSync(join(base, 'images', cls), { recursive: true });
    writeFileSync(join(base, 'images', 'a', '1.png'), 'one');
    writeFileSync(join(base, 'images', 'b', '2.png'), 'two');
    const spec = suiteSpec.parse({
      ...idxSuite(),
      pretrain: { dataset: { kind: 'folder', dir: 'images', imageSize: [8, 8] }, epochs: 1 },
    });
    const before = pretrainCacheKey(spec, base, 'wasm');
    writeFileSync(join(base, 'images', 'b', '2.png'), 'TWO');
    expect(pretrainCacheKey(spec, base, 'wasm')).not.toBe(before);
  });

  it('is stable for the built-in suites (the mnist package data is fixed by its version), and null without pretraining', () => {
    const split = loadSuite({ kind: 'builtin', name: 'mnist-split' });
    expect(pretrainCacheKey(split.spec, split.baseDir, 'wasm')).toBe(
      pretrainCacheKey(split.spec, split.baseDir, 'wasm'),
    );
    const { pretrain: _, ...rest } = idxSuite();
    expect(
      pretrainCacheKey({ ...rest, approaches: { scratch: rest.approaches.finetune! } } as SuiteSpec, '/', 'wasm'),
    ).toBeNull();
  });

  it('names the backend and, on wasm, the kernels version: a model pretrained elsewhere or before a kernel change is not reused', () => {
    const split = loadSuite({ kind: 'builtin', name: 'mnist-split' });
    const wasm = pretrainCacheKey(split.spec, split.baseDir, 'wasm');
    const cpu = pretrainCacheKey(split.spec, split.baseDir, 'cpu');
    expect(cpu).not.toBe(wasm);
    expect(pretrainCacheKey(split.spec, split.baseDir, 'webgl')).not.toBe(wasm);
    expect(pretrainEngine('wasm')).toEqual({
      backend: 'wasm',
      tfjs: expect.stringMatching(/^\d+\.\d+\.\d+/),
      kernels: KERNELS_VERSION,
    });
    // our kernels replace only the wasm backend's: the other backends' models do not depend on their version
    expect(pretrainEngine('cpu')).not.toHaveProperty('kernels');
  });
});
