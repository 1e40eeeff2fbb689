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
