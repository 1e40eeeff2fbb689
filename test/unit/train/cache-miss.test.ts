/**
 * A fresh run that pretrains a source model again, while one for the same source is cached under another key, says
 * why: the engine, pretraining or the source data changed (benchmarks/train/cache-miss.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { KERNELS_VERSION } from '../../../benchmarks/backend/kernels-version.js';
import type { PretrainRecord } from '../../../benchmarks/domain.js';
import { suiteSpec, type SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { cacheMissReason } from '../../../benchmarks/train/cache-miss.js';
import {
  PRETRAIN_KEY,
  cacheKeyOf,
  pretrainCacheKey,
  pretrainDir,
  pretrainIdentity,
  type PretrainIdentity,
} from '../../../benchmarks/train/pretrain-cache.js';
import { storePretrained } from '../../../benchmarks/train/run-pretrain.js';

const root = mkdtempSync(join(tmpdir(), 'tb-cache-miss-'));
const previousCache = process.env.TRANSFER_BENCH_CACHE;
process.env.TRANSFER_BENCH_CACHE = join(root, 'cache');
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (previousCache === undefined) delete process.env.TRANSFER_BENCH_CACHE;
  else process.env.TRANSFER_BENCH_CACHE = previousCache;
});

const base = join(root, 'suite');
const images = join(base, 'data', 'train-images');

function idxSuite(epochs = 1): SuiteSpec {
  return suiteSpec.parse({
    name: 'idx-source',
    architecture: 'mlp',
    pretrain: {
      dataset: { kind: 'idx', dir: 'data', train: { images: 'train-images', labels: 'train-labels' } },
      epochs,
    },
    target: { dataset: { kind: 'mnist' }, testPerClass: 10 },
    sizes: [10],
    seeds: [0],
    approaches: { finetune: { learningRate: 0.001, epochs: 1 } },
  });
}

const record = (cacheKey: string): PretrainRecord => ({
  cacheKey,
  reused: false,
  sourceDescription: 'idx',
  epochs: 1,
  wallSeconds: 1,
  trainFlops: 1,
  sourceTestAccuracy: 0.5,
  backend: 'wasm',
});

/** A cached model as a run would leave it, made from `identity`. */
async function cache(spec: SuiteSpec, identity: PretrainIdentity | null): Promise<string> {
  const key = identity ? cacheKeyOf(spec, identity) : pretrainCacheKey(spec, base, 'wasm')!;
  await storePretrained({ spec, baseDir: base, cacheKey: key, outDir: pretrainDir(key) }, record(key), async (dir) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), '{}');
  });
  // storePretrained writes the key file only for the key of the data as it is now; an older one is written here
  if (identity) writeFileSync(join(pretrainDir(key), PRETRAIN_KEY), JSON.stringify(identity));
  return key;
}

beforeEach(() => {
  rmSync(join(root, 'cache'), { recursive: true, force: true });
  mkdirSync(join(base, 'data'), { recursive: true });
  writeFileSync(images, Buffer.from([1, 2, 3, 4]));
  writeFileSync(join(base, 'data', 'train-labels'), Buffer.from([0, 1]));
});

describe('cacheMissReason', () => {
  it('a cached model keeps the identity its key was made from', async () => {
    const spec = idxSuite();
    const key = await cache(spec, null);
    const kept = JSON.parse(readFileSync(join(pretrainDir(key), PRETRAIN_KEY), 'utf8')) as PretrainIdentity;
    expect(kept).toEqual(pretrainIdentity(spec, base, 'wasm'));
    // and that model is found: nothing to explain
    expect(cacheMissReason(spec, base, 'wasm', key)).toBeNull();
  });

  it("names the kernels' version when the cached model was made with other kernels", async () => {
    const spec = idxSuite();
    const now = pretrainIdentity(spec, base, 'wasm')!;
    const old = { ...now, engine: { ...(now.engine as object), kernels: KERNELS_VERSION - 1 } };
    const oldKey = await cache(spec, old);
    const reason = cacheMissReason(spec, base, 'wasm', pretrainCacheKey(spec, base, 'wasm')!);
    expect(reason).toContain(`kernels ${KERNELS_VERSION - 1}, now ${KERNELS_VERSION}`);
    expect(reason).toContain(oldKey);
    expect(reason).not.toContain('data');
  });

  it('names the source data file that changed', async () => {
    const spec = idxSuite();
    await cache(spec, null);
    writeFileSync(images, Buffer.from([1, 2, 3, 5]));
    const reason = cacheMissReason(spec, base, 'wasm', pretrainCacheKey(spec, base, 'wasm')!);
    expect(reason).toMatch(/its source data changed: .*train-images \(changed\)/);
    expect(reason).not.toContain('train-labels');
  });

  it('says nothing for another source, or when the cached model has no key file', async () => {
    await cache(idxSuite(1), null);
    const other = idxSuite(2);
    expect(cacheMissReason(other, base, 'wasm', pretrainCacheKey(other, base, 'wasm')!)).toBeNull();
    const spec = idxSuite();
    const key = await cache(spec, null);
    rmSync(join(pretrainDir(key), PRETRAIN_KEY));
    writeFileSync(images, Buffer.from([9]));
    expect(cacheMissReason(spec, base, 'wasm', pretrainCacheKey(spec, base, 'wasm')!)).toBeNull();
  });
});
