/**
 * The sandboxes of one `vitest run` share one file of machine measurements (test/support/shared-measurements.ts), so
 * the CLI measures the training speed once per run, not once per model cache; a sandbox for a test whose subject is the
 * measurement gets none and measures in its own model cache.
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { THROUGHPUT_CACHE_ENV } from '../../benchmarks/builder/throughput-cache.js';
import { sandbox } from './cli-helpers.js';

describe('the measurements the CLI processes of a test run share', () => {
  it('are one file for every sandbox, outside their model caches, and none for a sandbox that measures afresh', () => {
    const first = sandbox();
    const second = sandbox();
    const shared = first.env[THROUGHPUT_CACHE_ENV];
    expect(shared).toMatch(/throughput\.json$/);
    expect(second.env[THROUGHPUT_CACHE_ENV]).toBe(shared);
    expect(dirname(shared!)).not.toBe(first.env.TRANSFER_BENCH_CACHE);
    expect(first.env.TRANSFER_BENCH_CACHE).not.toBe(second.env.TRANSFER_BENCH_CACHE);
    const fresh = sandbox(undefined, { freshMeasurements: true });
    expect(fresh.env[THROUGHPUT_CACHE_ENV]).toBeUndefined();
  });
});
