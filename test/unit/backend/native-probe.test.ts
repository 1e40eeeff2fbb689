import { dirname, join } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTensorFlowGpuLog, probeNativeBackend } from '../../../benchmarks/backend/native-probe.js';
import { makeFakeNativeRoot, setFake } from './fake-native.js';

const GPU = '@tensorflow/tfjs-node-gpu';
const CPU = '@tensorflow/tfjs-node';

describe('probeNativeBackend', () => {
  const from = makeFakeNativeRoot([GPU]);
  const root = dirname(from);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const noCache = { resolveFrom: from, cacheFile: null };

  it('reports a package that is not installed, with how to install it', async () => {
    const result = await probeNativeBackend(CPU, noCache);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe(
      '@tensorflow/tfjs-node is not installed (npm install @tensorflow/tfjs-node; it downloads libtensorflow at install)',
    );
  });

  it('inside the app without a cached result, starts no process (the app cannot run itself as Node)', async () => {
    setFake('ok', false);
    Object.defineProperty(process.versions, 'electron', { value: '45.4.1', configurable: true });
    try {
      const result = await probeNativeBackend(GPU, noCache);
      expect(result).toMatchObject({ ok: false, version: '4.22.0' });
      expect(result.reason).toBe(
        'not probed: the app probes @tensorflow/tfjs-node-gpu when it starts and found no result to use; restart Transfer Bench',
      );
    } finally {
      delete (process.versions as { electron?: string }).electron;
    }
    expect((await probeNativeBackend(GPU, noCache)).ok).toBe(true);
  });

  it('reports a package that throws when loaded', async () => {
    setFake('throw', false);
    const result = await probeNativeBackend(GPU, noCache);
    expect(result).toMatchObject({ ok: false, version: '4.22.0', gpu: false });
    expect(result.reason).toMatch(/^it does not load: libtensorflow\.so\.2: cannot open shared object file/);
  });

  it('survives a package that kills its process with SIGILL, and says what that usually means', async () => {
    setFake('sigill', false);
    const result = await probeNativeBackend(GPU, noCache);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/crashed the probe process, which was killed by SIGILL \(the CPU lacks instructions/);
  });

  it('stops a probe that hangs', async () => {
    setFake('hang', false);
    const result = await probeNativeBackend(GPU, { ...noCache, timeoutMs: 1000 });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/did not finish in time/);
  });

  it('reports a package that computes nonsense', async () => {
    setFake('wrong', false);
    const result = await probeNativeBackend(GPU, noCache);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/failed a test computation: a test matMul returned 3/);
  });

  it('finds the GPU TensorFlow placed work on, with its name from TensorFlow’s log', async () => {
    setFake('ok', true);
    const result = await probeNativeBackend(GPU, noCache);
    expect(result).toMatchObject({ ok: true, reason: null, gpu: true, gpuName: 'NVIDIA Fake 9000', gpuProblem: null });
  });

  it('a GPU package that loaded without a GPU is not a GPU, and the log says why', async () => {
    setFake('ok', false);
    const result = await probeNativeBackend(GPU, noCache);
    expect(result).toMatchObject({
      ok: true,
      gpu: false,
      gpuName: null,
      gpuProblem: 'could not load libcudart.so.11.0',
    });
  });

  it('caches the result, and probes again when asked to', async () => {
    const cacheFile = join(root, 'cache', 'backend-probe.json');
    setFake('ok', true);
    const first = await probeNativeBackend(GPU, { resolveFrom: from, cacheFile });
    expect(first.ok).toBe(true);
    expect(Object.values(JSON.parse(readFileSync(cacheFile, 'utf8')) as object)).toHaveLength(1);
    setFake('throw', false);
    expect(await probeNativeBackend(GPU, { resolveFrom: from, cacheFile })).toEqual(first);
    const again = await probeNativeBackend(GPU, { resolveFrom: from, cacheFile, refresh: true });
    expect(again.ok).toBe(false);
  });
});

describe('parseTensorFlowGpuLog', () => {
  it('reads the device name TensorFlow 2.9 logs', () => {
    const log =
      '2024-01-01 I tensorflow/core/common_runtime/gpu/gpu_device.cc:1532] Created device ' +
      '/job:localhost/replica:0/task:0/device:GPU:0 with 10413 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3080 Ti, pci bus id: 0000:2b:00.0, compute capability: 8.6';
    expect(parseTensorFlowGpuLog(log)).toEqual({ gpuName: 'NVIDIA GeForce RTX 3080 Ti', gpuProblem: null });
  });

  it('says which CUDA library was missing, or that GPU libraries could not be opened', () => {
    expect(parseTensorFlowGpuLog("Could not load dynamic library 'libcudnn.so.8'; dlerror: x").gpuProblem).toBe(
      'could not load libcudnn.so.8',
    );
    expect(parseTensorFlowGpuLog('Cannot dlopen some GPU libraries. Please make sure…').gpuProblem).toBe(
      'could not load the CUDA libraries',
    );
    expect(parseTensorFlowGpuLog('')).toEqual({ gpuName: null, gpuProblem: null });
  });
});
