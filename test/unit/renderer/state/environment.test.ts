import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentInfo } from '../../../../benchmarks/contract.js';
import { ENVIRONMENT_POLL_MS, EnvironmentState } from '../../../../renderer/src/lib/state/environment.svelte.js';
import { settle } from './fake-transport.js';

const probing: EnvironmentInfo = { cpu: 'Test CPU (2 cores)', probing: true, gpu: null, auto: null };
const probed: EnvironmentInfo = {
  ...probing,
  probing: false,
  gpu: { engine: 'Chromium 156', webgpu: null, webgl: null, problems: ['webgpu: …', 'webgl: …'] },
  auto: { backend: 'wasm', reason: 'no hardware GPU' },
};

describe('EnvironmentState', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks again while the engine probes, and stops once it has the answer', async () => {
    let answer = probing;
    const getEnvironment = vi.fn(() => Promise.resolve(answer));
    const environment = new EnvironmentState();
    const stop = environment.watch({ getEnvironment });
    await settle();
    expect(environment.info).toEqual(probing);
    await vi.advanceTimersByTimeAsync(ENVIRONMENT_POLL_MS);
    expect(getEnvironment).toHaveBeenCalledTimes(2);
    answer = probed;
    await vi.advanceTimersByTimeAsync(ENVIRONMENT_POLL_MS);
    expect(environment.info).toEqual(probed);
    await vi.advanceTimersByTimeAsync(10 * ENVIRONMENT_POLL_MS);
    expect(getEnvironment).toHaveBeenCalledTimes(3);
    stop();
  });

  it('shows why when the engine cannot answer, and does not keep asking; stop() ends the polling', async () => {
    const failing = new EnvironmentState();
    const refused = vi.fn(() => Promise.reject(new Error('unknown request "getEnvironment"')));
    failing.watch({ getEnvironment: refused });
    await vi.advanceTimersByTimeAsync(5 * ENVIRONMENT_POLL_MS);
    expect(failing.error).toBe('unknown request "getEnvironment"');
    expect(refused).toHaveBeenCalledTimes(1);

    const stopped = new EnvironmentState();
    const getEnvironment = vi.fn(() => Promise.resolve(probing));
    const stop = stopped.watch({ getEnvironment });
    await settle();
    stop();
    await vi.advanceTimersByTimeAsync(5 * ENVIRONMENT_POLL_MS);
    expect(getEnvironment).toHaveBeenCalledTimes(1);
  });
});
