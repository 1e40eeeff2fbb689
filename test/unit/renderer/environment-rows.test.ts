import { describe, expect, it } from 'vitest';
import type { EnvironmentInfo } from '../../../benchmarks/contract.js';
import { environmentRows } from '../../../renderer/src/lib/environment/environment-rows.js';

const SWIFTSHADER_GL = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const cpu = 'Intel(R) Xeon(R) CPU (2 cores)';

describe('environment panel rows', () => {
  it('show "probing…" for the GPU and auto until the probe answers, and the CPU at once', () => {
    const rows = environmentRows({ cpu, probing: true, gpu: null, auto: null });
    expect(rows.map((r) => [r.key, r.value, r.tone])).toEqual([
      ['engine', 'probing…', 'probing'],
      ['auto', 'probing…', 'probing'],
      ['cpu', cpu, 'info'],
    ]);
  });

  it('name each adapter and label SwiftShader as software; auto names its backend and reason', () => {
    const info: EnvironmentInfo = {
      cpu,
      probing: false,
      gpu: {
        engine: 'Chromium 156.0.8078.108',
        webgpu: { api: 'webgpu', vendor: 'google', architecture: 'swiftshader', description: '', software: true },
        webgl: { api: 'webgl', vendor: 'Google Inc.', architecture: '', description: SWIFTSHADER_GL, software: true },
        problems: [],
      },
      auto: { backend: 'wasm', reason: 'no hardware GPU (…)' },
    };
    const rows = environmentRows(info);
    expect(rows.map((r) => [r.label, r.value, r.badge])).toEqual([
      ['Browser engine', 'Chromium 156.0.8078.108', null],
      ['WebGPU', 'google swiftshader', 'software, not a GPU'],
      ['WebGL2', `Google Inc., ${SWIFTSHADER_GL}`, 'software, not a GPU'],
      ['Auto picks', 'wasm', null],
      ['CPU', cpu, null],
    ]);
    expect(rows.find((r) => r.key === 'auto')!.detail).toBe('no hardware GPU (…)');
  });

  it('say why an API has no adapter, and why there is no engine at all', () => {
    const flagless = environmentRows({
      cpu,
      probing: false,
      gpu: {
        engine: 'Electron 45.4.1 (Chromium 142.0.0.0)',
        webgpu: null,
        webgl: {
          api: 'webgl',
          vendor: 'NVIDIA Corporation',
          architecture: '',
          description: 'RTX 3080',
          software: false,
        },
        problems: ['webgpu: navigator.gpu is missing (WebGPU is off in this engine)'],
      },
      auto: { backend: 'webgl', reason: 'a hardware adapter: …' },
    });
    expect(flagless.find((r) => r.key === 'webgpu')).toMatchObject({
      value: 'none',
      tone: 'none',
      detail: 'navigator.gpu is missing (WebGPU is off in this engine)',
    });
    expect(flagless.find((r) => r.key === 'webgl')).toMatchObject({ badge: 'hardware GPU', tone: 'hardware' });

    const none = environmentRows({
      cpu,
      probing: false,
      gpu: { engine: null, webgpu: null, webgl: null, problems: ['no Chromium or Chrome found (…)'] },
      auto: { backend: 'wasm', reason: 'no hardware GPU (no Chromium or Chrome found (…)); …' },
    });
    expect(none[0]).toMatchObject({ value: 'none found', detail: 'no Chromium or Chrome found (…)' });
    expect(none.find((r) => r.key === 'webgpu')!.detail).toBe('no browser engine');
  });
});
