import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../../benchmarks/server/http-server.js';
import { MAX_CONCURRENT_RUNS, createEngineService } from '../../../benchmarks/service/engine-service.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';
import { fakeWorkers } from '../runner/fake-worker.js';

let previousCache: string | undefined;
beforeAll(() => {
  previousCache = process.env.TRANSFER_BENCH_CACHE;
  process.env.TRANSFER_BENCH_CACHE = mkdtempSync(join(tmpdir(), 'tb-http-cache-'));
});
afterAll(() => {
  if (previousCache === undefined) delete process.env.TRANSFER_BENCH_CACHE;
  else process.env.TRANSFER_BENCH_CACHE = previousCache;
});

describe('resumeSuite over HTTP', () => {
  it('two requests at once: one runs, the other is refused with a clear message; the run stays cancellable', async () => {
    const fake = fakeWorkers({ trial: () => 'hang' });
    const dbPath = join(mkdtempSync(join(tmpdir(), 'tb-http-')), 'results.db');
    const service = await createEngineService({ dbPath, forkWorker: fake.forker });
    const server = await startServer({ service, port: 0, staticDir: tmpdir() });
    const post = async (name: string, body: unknown) => {
      const response = await fetch(`${server.url}api/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    try {
      const started = await post('startSuite', {
        source: { kind: 'file', path: TINY_SUITE },
        backend: 'wasm',
        workers: 1,
      });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const suiteId = started.body.suiteId as number;
      expect((await post('cancelSuite', { suiteId })).body).toEqual({ cancelled: true });
      const [a, b] = await Promise.all([post('resumeSuite', { suiteId }), post('resumeSuite', { suiteId })]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 400]);
      const refused = a.status === 400 ? a : b;
      expect(refused.body.error).toMatch(/suite 1 is already (being run|running here)/);
      const cancelled = await post('cancelSuite', { suiteId });
      expect(cancelled.body).toEqual({ cancelled: true });
      const { body } = await post('getSuite', { suiteId });
      expect((body.suite as { status: string }).status).toBe('cancelled');
      expect((body.trials as { status: string }[]).some((t) => t.status === 'running')).toBe(false);
    } finally {
      await server.close();
      await service.close();
    }
  });

  it('the worker limit over HTTP: getLimits says it, startSuite and resumeSuite refuse above it', async () => {
    const fake = fakeWorkers();
    const dbPath = join(mkdtempSync(join(tmpdir(), 'tb-http-')), 'results.db');
    const service = await createEngineService({ dbPath, forkWorker: fake.forker });
    const server = await startServer({ service, port: 0, staticDir: tmpdir() });
    const post = async (name: string, body: unknown) => {
      const response = await fetch(`${server.url}api/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    try {
      const max = availableParallelism();
      expect((await post('getLimits', {})).body).toEqual({ maxWorkers: max });
      const source = { kind: 'file', path: TINY_SUITE };
      const refused = await post('startSuite', { source, backend: 'wasm', workers: max + 1 });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe(
        `workers ${max + 1}: give a whole number from 1 to ${max} (this machine has ${max} cores; one worker process per core at most)`,
      );
      expect(fake.started).toBe(0);
      expect((await post('listSuites', {})).body).toEqual([]);
      const resume = await post('resumeSuite', { suiteId: 1, workers: max + 1 });
      expect([resume.status, resume.body.error]).toEqual([
        400,
        expect.stringMatching(/^workers \d+: give a whole number/),
      ]);
    } finally {
      await server.close();
      await service.close();
    }
  });
  it('defect 5: serve runs at most a few suites at once; more starts (even sent together) get a clean 503', async () => {
    const fake = fakeWorkers({ trial: () => 'hang' });
    const dbPath = join(mkdtempSync(join(tmpdir(), 'tb-http-')), 'results.db');
    const service = await createEngineService({ dbPath, forkWorker: fake.forker });
    const server = await startServer({ service, port: 0, staticDir: tmpdir() });
    const post = async (name: string, body: unknown) => {
      const response = await fetch(`${server.url}api/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    try {
      const start = () =>
        post('startSuite', { source: { kind: 'file', path: TINY_SUITE }, backend: 'wasm', workers: 1 });
      const answers = await Promise.all(Array.from({ length: MAX_CONCURRENT_RUNS + 3 }, start));
      const started = answers.filter((a) => a.status === 200);
      expect(started).toHaveLength(MAX_CONCURRENT_RUNS);
      const busy = answers.filter((a) => a.status !== 200);
      expect(busy.map((a) => a.status)).toEqual([503, 503, 503]);
      expect(busy[0]!.body.error).toMatch(
        new RegExp(`^${MAX_CONCURRENT_RUNS} suites are running here already \\(at most ${MAX_CONCURRENT_RUNS} at once`),
      );
      // One cancelled: a start is taken again, and a resume counts as a run too.
      const first = started[0]!.body.suiteId as number;
      expect((await post('cancelSuite', { suiteId: first })).body).toEqual({ cancelled: true });
      expect((await start()).status).toBe(200);
      expect((await post('resumeSuite', { suiteId: first })).status).toBe(503);
    } finally {
      await server.close();
      await service.close();
    }
  });
});
