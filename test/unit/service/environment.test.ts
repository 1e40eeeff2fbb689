import { describe, expect, it } from 'vitest';
import type { NativeProbeResult } from '../../../benchmarks/backend/native-probe.js';
import type { GpuAdapter, GpuReport } from '../../../benchmarks/gpu/adapter.js';
import { autoChoice, environmentProbe } from '../../../benchmarks/service/environment.js';

const SWIFTSHADER_GL = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const adapter = (api: 'webgpu' | 'webgl', software: boolean): GpuAdapter =>
  api === 'webgpu'
    ? {
        api,
        vendor: software ? 'google' : 'nvidia',
        architecture: software ? 'swiftshader' : 'ampere',
        description: '',
        software,
      }
    : { api, vendor: 'Google Inc.', architecture: '', description: software ? SWIFTSHADER_GL : 'RTX 3080', software };
const report = (webgpu: boolean | null, webgl: boolean | null, problems: string[] = []): GpuReport => ({
  engine: 'Chromium 156.0.8078.108',
  webgpu: webgpu === null ? null : adapter('webgpu', webgpu),
  webgl: webgl === null ? null : adapter('webgl', webgl),
  problems,
});
const native = (pkg: NativeProbeResult['package'], fields: Partial<NativeProbeResult> = {}): NativeProbeResult => ({
  package: pkg,
  ok: false,
  reason: `${pkg} is not installed`,
  version: null,
  gpu: false,
  gpuName: null,
  gpuProblem: null,
  entry: null,
  probedAt: '2026-11-30T10:00:00.000Z',
  ...fields,
});
const noGpuPackage = native('@tensorflow/tfjs-node-gpu');
const noCpuPackage = native('@tensorflow/tfjs-node');

describe('what auto picks, and why', () => {
  it('takes tfjs-node-gpu on a CUDA GPU before any browser adapter', () => {
    const cuda = native('@tensorflow/tfjs-node-gpu', { ok: true, reason: null, gpu: true, gpuName: 'NVIDIA A100' });
    expect(autoChoice(cuda, noCpuPackage, report(false, false))).toEqual({
      backend: 'tensorflow-gpu',
      reason: 'tfjs-node-gpu placed work on a CUDA GPU (NVIDIA A100)',
    });
  });

  it('takes a hardware WebGPU adapter, then hardware WebGL2, and names it', () => {
    expect(autoChoice(noGpuPackage, noCpuPackage, report(false, false))).toEqual({
      backend: 'webgpu',
      reason: 'a hardware adapter: GPU (WebGPU in Chromium 156.0.8078.108): nvidia ampere',
    });
    expect(autoChoice(noGpuPackage, noCpuPackage, report(true, false)).backend).toBe('webgl');
  });

  it('never takes a software adapter: says each API is SwiftShader and why wasm', () => {
    const choice = autoChoice(noGpuPackage, noCpuPackage, report(true, true));
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toBe(
      'no hardware GPU (webgpu: only a software adapter (google swiftshader); ' +
        `webgl: only a software adapter (${SWIFTSHADER_GL})); ` +
        'tfjs-node is not installed, tfjs-node-gpu is not installed; wasm runs on the CPU',
    );
    const broken = native('@tensorflow/tfjs-node', { version: '4.22.0', reason: 'the probe process crashed (SIGILL)' });
    expect(autoChoice(noGpuPackage, broken, report(true, true)).reason).toContain(
      'tfjs-node: the probe process crashed (SIGILL), tfjs-node-gpu is not installed',
    );
  });

  it('says why there is no adapter (a missing flag, no browser) and prefers libtensorflow on the CPU to wasm', () => {
    const flagless = report(null, true, ['webgpu: navigator.gpu is missing (… needs --enable-unsafe-webgpu)']);
    const tfjsNode = native('@tensorflow/tfjs-node', { ok: true, reason: null });
    expect(autoChoice(noGpuPackage, tfjsNode, flagless)).toEqual({
      backend: 'tensorflow',
      reason:
        'no hardware GPU (webgpu: navigator.gpu is missing (… needs --enable-unsafe-webgpu); ' +
        `webgl: only a software adapter (${SWIFTSHADER_GL})); tfjs-node runs libtensorflow on the CPU`,
    });
    const noBrowser: GpuReport = { engine: null, webgpu: null, webgl: null, problems: ['no Chromium or Chrome found'] };
    const gpuPackageOnCpu = native('@tensorflow/tfjs-node-gpu', {
      ok: true,
      reason: null,
      gpuProblem: 'could not load libcudart.so.11.0',
    });
    expect(autoChoice(gpuPackageOnCpu, noCpuPackage, noBrowser)).toEqual({
      backend: 'tensorflow-gpu',
      reason:
        'no hardware GPU (no Chromium or Chrome found); tfjs-node-gpu found no CUDA GPU: could not load ' +
        'libcudart.so.11.0 and runs libtensorflow on the CPU',
    });
  });
});

describe('the environment probe', () => {
  it('answers at once with "probing" and starts one probe; later answers carry its result', async () => {
    let finish: (r: GpuReport) => void = () => {};
    let probes = 0;
    const env = environmentProbe(
      {
        probe: () => {
          probes++;
          return new Promise<GpuReport>((resolve) => (finish = resolve));
        },
      },
      (pkg) => Promise.resolve(native(pkg)),
    );
    const first = env();
    expect(first).toMatchObject({ probing: true, gpu: null, auto: null });
    expect(first.cpu).toMatch(/\(\d+ cores?\)$/);
    expect(env().probing).toBe(true);
    finish(report(true, true));
    await new Promise((r) => setTimeout(r, 0));
    const done = env();
    expect(done.probing).toBe(false);
    expect(done.gpu?.webgpu?.software).toBe(true);
    expect(done.auto?.backend).toBe('wasm');
    expect(probes).toBe(1);
  });

  it('reports a probe that failed as the reason, not as probing forever', async () => {
    const env = environmentProbe({ probe: () => Promise.resolve(report(true, true)) }, () =>
      Promise.reject(new Error('cache unreadable')),
    );
    env();
    await new Promise((r) => setTimeout(r, 0));
    expect(env()).toMatchObject({
      probing: false,
      gpu: { engine: null, problems: ['the probe failed: cache unreadable'] },
      auto: null,
    });
  });
});
