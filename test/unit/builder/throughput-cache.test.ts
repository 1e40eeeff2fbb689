import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  THROUGHPUT_CACHE_ENV,
  cachedThroughput,
  cachedWorkerStart,
  throughputCachePath,
} from '../../../benchmarks/builder/throughput-cache.js';

const DAY = 24 * 3600 * 1000;

describe('the measurements an estimate keeps', () => {
  it("measures a worker's start once per backend, reuses it for a day, and again when stale", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tb-cache-')), 'throughput.json');
    let measured = 0;
    const measure = async () => {
      measured += 1;
      return 1 + measured / 10;
    };
    const now = Date.parse('2026-12-07T00:00:00Z');
    const first = await cachedWorkerStart('wasm', measure, { path, now });
    expect(first).toMatchObject({ seconds: 1.1, reused: false });
    const again = await cachedWorkerStart('wasm', measure, { path, now: now + DAY - 1 });
    expect(again).toMatchObject({ seconds: 1.1, reused: true, measuredAt: first.measuredAt });
    const other = await cachedWorkerStart('cpu', measure, { path, now });
    expect(other).toMatchObject({ seconds: 1.2, reused: false });
    const stale = await cachedWorkerStart('wasm', measure, { path, now: now + DAY + 1 });
    expect(stale).toMatchObject({ seconds: 1.3, reused: false });
    expect(measured).toBe(3);
    // kept beside the throughputs, in the same file, which a throughput lookup does not mistake for its own
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')) as object).join()).toContain('worker-start');
    const throughput = await cachedThroughput(
      { measurement: 'worker-start', backend: 'wasm' },
      async () => ({ backend: 'wasm', samplesPerSecond: 10, flopsPerSecond: 1e6 }),
      { path, now: now + DAY + 2 },
    );
    expect(throughput.reused).toBe(false);
  });

  it('keeps them in the file TRANSFER_BENCH_THROUGHPUT_CACHE names, else in the model cache', async () => {
    const saved = { cache: process.env.TRANSFER_BENCH_CACHE, file: process.env[THROUGHPUT_CACHE_ENV] };
    const dir = mkdtempSync(join(tmpdir(), 'tb-cache-'));
    try {
      process.env.TRANSFER_BENCH_CACHE = join(dir, 'model-cache');
      delete process.env[THROUGHPUT_CACHE_ENV];
      expect(throughputCachePath()).toBe(join(dir, 'model-cache', 'throughput.json'));
      const shared = join(dir, 'shared', 'measurements.json');
      process.env[THROUGHPUT_CACHE_ENV] = shared;
      expect(throughputCachePath()).toBe(shared);
      const measure = async () => ({ backend: 'wasm', samplesPerSecond: 10, flopsPerSecond: 1e6 });
      const what = { backend: 'wasm', architecture: 'env-test' };
      expect((await cachedThroughput(what, measure)).reused).toBe(false);
      expect(Object.keys(JSON.parse(readFileSync(shared, 'utf8')) as object).join()).toContain('env-test');
      expect(existsSync(join(dir, 'model-cache', 'throughput.json'))).toBe(false);
    } finally {
      for (const [name, value] of [
        ['TRANSFER_BENCH_CACHE', saved.cache],
        [THROUGHPUT_CACHE_ENV, saved.file],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
