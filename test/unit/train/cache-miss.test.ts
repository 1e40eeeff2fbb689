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
import { planSources } from '../../../benchmarks/runner/source-plan.js';
import { cacheMissReason } from '../../../benchmarks/train/cache-miss.js';
import {
  PRETRAIN_KEY,
  cacheKeyOf,
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

/** A cached model as a run would leave it, made from `identity` (by default that of the data as it is now). */
async function cache(spec: SuiteSpec, identity: PretrainIdentity | null): Promise<string> {
  const made = identity ?? pretrainIdentity(spec, base, 'wasm')!;
  const key = cacheKeyOf(spec, made);
  const job = { spec, baseDir: base, cacheKey: key, outDir: pretrainDir(key), identity: made };
  await storePretrained(job, record(key), async (dir) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), '{}');
  });
  return key;
}

/** Why a run of `spec` now would pretrain again, as SuiteRun.start asks (with the key and identity it planned). */
function reasonNow(spec: SuiteSpec): string | null {
  const identity = pretrainIdentity(spec, base, 'wasm')!;
  return cacheMissReason(spec, cacheKeyOf(spec, identity), identity);
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
    // the run plans the same key and identity, and hands the identity to the pretraining job
    const [plan] = planSources({ spec, baseDir: base, origin: 'test' }, 'wasm');
    expect(plan?.cacheKey).toBe(key);
    expect(plan?.identity).toEqual(kept);
    // and that model is found: nothing to explain
    expect(reasonNow(spec)).toBeNull();
  });

  it("names the kernels' version when the cached model was made with other kernels", async () => {
    const spec = idxSuite();
    const now = pretrainIdentity(spec, base, 'wasm')!;
    const old = { ...now, engine: { ...(now.engine as object), kernels: KERNELS_VERSION - 1 } };
    const oldKey = await cache(spec, old);
    const reason = reasonNow(spec);
    expect(reason).toContain(`kernels ${KERNELS_VERSION - 1}, now ${KERNELS_VERSION}`);
    expect(reason).toContain(oldKey);
    expect(reason).not.toContain('data');
  });

  it('names the source data file that changed', async () => {
    const spec = idxSuite();
    await cache(spec, null);
    writeFileSync(images, Buffer.from([1, 2, 3, 5]));
    const reason = reasonNow(spec);
    expect(reason).toMatch(/its source data changed: .*train-images \(changed\)/);
    expect(reason).not.toContain('train-labels');
  });

  it('says nothing for another source, or when the cached model has no key file', async () => {
    await cache(idxSuite(1), null);
    const other = idxSuite(2);
    expect(reasonNow(other)).toBeNull();
    const spec = idxSuite();
    const key = await cache(spec, null);
    rmSync(join(pretrainDir(key), PRETRAIN_KEY));
    writeFileSync(images, Buffer.from([9]));
    expect(reasonNow(spec)).toBeNull();
  });
});
