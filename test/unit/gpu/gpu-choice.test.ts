import { describe, expect, it, vi } from 'vitest';
import { describeAdapter, isSoftwareRenderer, type GpuAdapter } from '../../../benchmarks/gpu/adapter.js';
import { pickBrowserBackend } from '../../../benchmarks/gpu/auto-gpu.js';
import { decodeInlineBinary, extractBinary, resolveBinary } from '../../../benchmarks/gpu/binary-refs.js';
import { findChromium } from '../../../benchmarks/gpu/find-chromium.js';
import { withGpuWorkers } from '../../../benchmarks/gpu/gpu-forker.js';
import { UserError } from '../../../benchmarks/errors.js';
import type { WorkerHandle } from '../../../benchmarks/runner/worker-process.js';

const SWIFTSHADER_GL = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const gpu = (api: 'webgpu' | 'webgl', software: boolean): GpuAdapter => ({
  api,
  vendor: software ? 'google' : 'nvidia',
  architecture: software ? 'swiftshader' : 'ampere',
  description: '',
  software,
});

describe('adapters', () => {
  it('labels CPU rasterisers as software and GPUs as GPUs', () => {
    expect(isSoftwareRenderer(SWIFTSHADER_GL)).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
    expect(isSoftwareRenderer('Apple M2 Pro', 'apple', 'metal-3')).toBe(false);
  });

  it('records the adapter and says when it is not a GPU', () => {
    expect(describeAdapter(gpu('webgpu', true), 'Chromium 156.0.8078.108')).toBe(
      'software adapter, not a GPU (WebGPU in Chromium 156.0.8078.108): google swiftshader',
    );
    expect(
      describeAdapter(
        { ...gpu('webgl', false), vendor: 'NVIDIA Corporation', architecture: '', description: 'RTX 3080' },
        'Electron 45',
      ),
    ).toBe('GPU (WebGL2 in Electron 45): NVIDIA Corporation, RTX 3080');
  });

  it('auto takes a hardware WebGPU adapter, then hardware WebGL, never a software one', () => {
    expect(pickBrowserBackend({ webgpu: gpu('webgpu', false), webgl: gpu('webgl', false), problems: [] })).toBe(
      'webgpu',
    );
    expect(pickBrowserBackend({ webgpu: gpu('webgpu', true), webgl: gpu('webgl', false), problems: [] })).toBe('webgl');
    expect(pickBrowserBackend({ webgpu: null, webgl: gpu('webgl', false), problems: [] })).toBe('webgl');
    expect(pickBrowserBackend({ webgpu: gpu('webgpu', true), webgl: gpu('webgl', true), problems: [] })).toBeNull();
  });
});

describe('findChromium', () => {
  it('takes TRANSFER_BENCH_CHROMIUM, then the usual install paths in order', () => {
    expect(findChromium({ TRANSFER_BENCH_CHROMIUM: '/opt/c/chrome' }, 'linux', (p) => p === '/opt/c/chrome')).toBe(
      '/opt/c/chrome',
    );
    expect(findChromium({}, 'linux', (p) => p === '/usr/bin/google-chrome' || p === '/snap/bin/chromium')).toBe(
      '/usr/bin/google-chrome',
    );
    expect(findChromium({}, 'darwin', (p) => p.includes('Chromium.app'))).toBe(
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
    );
  });

  it('says what it looked for and how to fix it when there is none', () => {
    expect(() => findChromium({}, 'linux', () => false)).toThrow(UserError);
    expect(() => findChromium({}, 'linux', () => false)).toThrow(
      /no Chromium or Chrome found.*\/usr\/bin\/chromium.*apt install chromium.*TRANSFER_BENCH_CHROMIUM/,
    );
    expect(() => findChromium({ TRANSFER_BENCH_CHROMIUM: '/nope' }, 'linux', () => false)).toThrow(
      'TRANSFER_BENCH_CHROMIUM=/nope: no such file',
    );
  });
});

describe('binary transfer', () => {
  it('moves typed arrays out of a message as references and back, byte for byte', async () => {
    const images = Float32Array.from([0.5, 1, -2]);
    const message = { type: 'trial', data: { images, labels: Int32Array.from([3, 4]), bytes: Uint8Array.from([7]) } };
    const store = new Map<string, Uint8Array>();
    const encoded = extractBinary(message, (bytes) => {
      const ref = `r${store.size}`;
      store.set(ref, bytes.slice());
      return ref;
    });
    expect(JSON.stringify(encoded)).not.toContain('0.5');
    const decoded = await resolveBinary(encoded, (ref) => Promise.resolve(store.get(ref)!.slice().buffer));
    expect(decoded).toEqual(message);
    const inline = extractBinary(message, (bytes) => Buffer.from(bytes).toString('base64'));
    expect(decodeInlineBinary(inline, (b) => Buffer.from(b, 'base64'))).toEqual(message);
  });
});

describe('withGpuWorkers', () => {
  const unused = () => Promise.reject(new Error('not probed in this test'));
  const handle = (): WorkerHandle & { sent: unknown[] } => {
    const sent: unknown[] = [];
    return { sent, send: (m) => sent.push(m), onMessage: () => {}, onExit: () => {}, kill: vi.fn() };
  };

  it('sends webgpu and webgl to the GPU workers and the Node backends to the base forker', () => {
    const base = vi.fn(handle);
    const fork = vi.fn(handle);
    const forker = withGpuWorkers(base, { fork, probe: unused, autoBackend: () => Promise.resolve(null) });
    forker('/w.js', [], 'webgl');
    forker('/w.js', [], 'wasm');
    expect(fork).toHaveBeenCalledWith('webgl');
    expect(base).toHaveBeenCalledWith('/w.js', [], 'wasm');
  });

  it('decides auto when init arrives: a hardware GPU worker is told its backend, else the base worker gets auto', async () => {
    for (const found of ['webgpu', null] as const) {
      const inner = handle();
      const forker = withGpuWorkers(() => inner, {
        fork: () => inner,
        probe: unused,
        autoBackend: () => Promise.resolve(found),
      });
      const worker = forker('/w.js', [], 'auto');
      worker.send({ type: 'init', backend: 'auto' });
      worker.send({ type: 'check' });
      await new Promise((r) => setTimeout(r, 0));
      expect(inner.sent).toEqual([{ type: 'init', backend: found ?? 'auto' }, { type: 'check' }]);
    }
  });
});
