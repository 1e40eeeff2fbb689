import { describe, expect, it, vi } from 'vitest';
import { dispatchRequest, isRequestName } from '../../../benchmarks/service/dispatch.js';
import { FakeService } from './fake-service.js';

describe('dispatchRequest', () => {
  it('validates, applies schema defaults and calls the handler', async () => {
    const service = new FakeService();
    const result = await dispatchRequest(service, 'startSuite', { source: { kind: 'builtin', name: 'quick' } });
    expect(result).toEqual({ ok: true, value: { suiteId: 7 } });
    expect(service.calls).toEqual([
      { name: 'startSuite', request: { source: { kind: 'builtin', name: 'quick' }, backend: 'auto' } },
    ]);
  });

  it('refuses invalid input before it reaches the handler', async () => {
    const service = new FakeService();
    const result = await dispatchRequest(service, 'getSuite', { suiteId: 'one' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.kind).toBe('invalid-request');
    expect(result.message).toContain('invalid getSuite request');
    expect(result.message).toContain('suiteId');
    expect(service.calls).toEqual([]);
  });

  it('checks an estimateSuite request: the suite against its schema, the basis within bounds', async () => {
    const service = new FakeService();
    const spec = {
      name: 's',
      architecture: 'cnn',
      target: { dataset: { kind: 'mnist', classes: [1, 7] }, testPerClass: 10 },
      sizes: [10],
      seeds: [0],
      approaches: { scratch: { learningRate: 0.001, epochs: 1 } },
    };
    const basis = {
      inputShape: [28, 28, 1],
      numClasses: 2,
      testCount: 20,
      backend: 'wasm',
      samplesPerSecond: 500,
      flopsPerSecond: 1e9,
      flopsPerSample: { scratch: { train: 3e6, forward: 1e6 } },
    };
    expect(await dispatchRequest(service, 'estimateSuite', { spec, basis })).toMatchObject({ ok: true });
    const huge = await dispatchRequest(service, 'estimateSuite', {
      spec,
      basis: { ...basis, inputShape: [100_000, 100_000, 3] },
    });
    expect(huge).toMatchObject({ ok: false, kind: 'invalid-request' });
    const badSpec = await dispatchRequest(service, 'estimateSuite', { spec: { ...spec, seeds: [0, 0] }, basis });
    expect(badSpec).toMatchObject({ ok: false, kind: 'invalid-request', message: expect.stringContaining('seeds') });
    expect(service.calls.map((c) => c.name)).toEqual(['estimateSuite']);
  });

  it('refuses unknown keys and unknown requests, including inherited property names', async () => {
    const service = new FakeService();
    const extra = await dispatchRequest(service, 'listSuites', { all: true });
    expect(extra).toMatchObject({ ok: false, kind: 'invalid-request' });
    for (const name of ['dropTables', 'constructor', '__proto__', 'toString']) {
      expect(isRequestName(name)).toBe(false);
      expect(await dispatchRequest(service, name, {})).toMatchObject({ ok: false, kind: 'unknown-request' });
    }
    expect(service.calls).toEqual([]);
  });

  it('passes a UserError message as is and logs only internal errors', async () => {
    const service = new FakeService();
    const log = vi.fn();
    expect(await dispatchRequest(service, 'getSuite', { suiteId: 3 }, log)).toEqual({
      ok: false,
      kind: 'user-error',
      message: 'no suite with id 3',
    });
    expect(log).not.toHaveBeenCalled();
    expect(await dispatchRequest(service, 'getEpochs', { suiteId: 3 }, log)).toEqual({
      ok: false,
      kind: 'internal-error',
      message: 'getEpochs failed: database is locked',
    });
    expect(log).toHaveBeenCalledOnce();
  });
});
