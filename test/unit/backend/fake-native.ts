/**
 * Stand-ins for @tensorflow/tfjs-node(-gpu), which cannot be installed here (their install downloads libtensorflow).
 * The fake package behaves as FAKE_TF_MODE says when loaded (read at load time, so the probe process sees what the
 * test set): `throw` like a missing libtensorflow, `sigill` like a CPU without AVX, `hang`, `wrong` (computes
 * nonsense), or `ok`: it then registers a real "tensorflow" backend (the cpu backend's kernels under that name) whose
 * `isUsingGpuDevice` is FAKE_TF_GPU === '1', and logs to stderr what TensorFlow logs about GPUs.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

function fakeIndex(): string {
  const core = JSON.stringify(require.resolve('@tensorflow/tfjs-core'));
  const cpu = JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu'));
  return `
const mode = process.env.FAKE_TF_MODE || 'ok';
const gpu = () => process.env.FAKE_TF_GPU === '1';
if (mode === 'throw') throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');
if (mode === 'sigill') process.kill(process.pid, 'SIGILL');
if (mode === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
process.stderr.write(gpu()
  ? 'I tensorflow/core/common_runtime/gpu/gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 22290 MB memory:  -> device: 0, name: NVIDIA Fake 9000, pci bus id: 0000:01:00.0, compute capability: 8.6\\n'
  : "W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file\\n");
const tf = require(${core});
const cpu = require(${cpu});
if (tf.findBackendFactory('tensorflow') == null) {
  class FakeTensorFlowBackend extends cpu.MathBackendCPU {
    // tfjs-node prints no banner advising tfjs-node, as the cpu backend it borrows from does on its first tensor
    constructor() { super(); this.firstUse = false; }
    get isUsingGpuDevice() { return gpu(); }
  }
  for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
  tf.registerBackend('tensorflow', () => new FakeTensorFlowBackend(), 3);
}
module.exports = mode === 'wrong' ? { ...tf, matMul: () => ({ dataSync: () => [3] }) } : tf;
`;
}

/**
 * A folder with fake native packages in its node_modules. Returns the path to give as `resolveFrom`
 * (a file inside the folder; it need not exist).
 */
export function makeFakeNativeRoot(packages: ('@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu')[]): string {
  const root = mkdtempSync(join(tmpdir(), 'tb-fake-native-'));
  for (const name of packages) {
    const dir = join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
    writeFileSync(join(dir, 'index.js'), fakeIndex());
  }
  return join(root, 'resolve-from.js');
}

export function setFake(mode: 'ok' | 'throw' | 'sigill' | 'hang' | 'wrong', gpu: boolean): void {
  process.env.FAKE_TF_MODE = mode;
  process.env.FAKE_TF_GPU = gpu ? '1' : '0';
}
