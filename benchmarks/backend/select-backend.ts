import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-layers' Node bundle registers the gradients of all tfjs-core ops (tfjs-core's own Node bundle has none).
import '@tensorflow/tfjs-layers';
import type { BackendChoice, BackendName } from '../domain.js';
import { UserError, errorMessage } from '../errors.js';
import { NATIVE_PACKAGES, probeNativeBackend } from './native-probe.js';
import type { NativeBackendName, NativeProbeResult, ProbeOptions } from './native-probe.js';
import { activateWasm } from './wasm.js';
import { describeCpu } from './describe-cpu.js';

export interface BackendInfo {
  name: BackendName;
  /** Where the work actually runs, as found out (never assumed from the package), e.g. "GPU: NVIDIA …". */
  device: string;
}

export interface SelectBackendOptions {
  /** How native backends are probed (cache file, where packages resolve from); see native-probe.ts. */
  probe?: ProbeOptions;
}

class Unavailable extends Error {}

const NATIVE_BACKEND = 'tensorflow';

/** `findBackendFactory` returns null for an unknown name, whatever its declared type says. */
function hasBackend(name: string): boolean {
  const factory: unknown = tf.findBackendFactory(name);
  return factory !== null && factory !== undefined;
}

/** Loads a probed native package into this process and makes its backend active. */
async function activateNative(probe: NativeProbeResult): Promise<void> {
  if (probe.entry === null) throw new Unavailable(probe.reason ?? 'not installed');
  if (!hasBackend(NATIVE_BACKEND)) {
    await import(pathToFileURL(probe.entry).href);
  }
  if (!hasBackend(NATIVE_BACKEND)) {
    throw new Unavailable(
      `${probe.package} loaded but registered its backend with another copy of @tensorflow/tfjs-core; ` +
        `every @tensorflow/* package must be the same version (this app uses ${tf.version_core})`,
    );
  }
  if (!(await tf.setBackend(NATIVE_BACKEND))) throw new Unavailable(`${probe.package} failed to initialise`);
  await tf.ready();
}

/** What the active tfjs-node backend reports: TensorFlow put its ops on a GPU device. */
function nativeUsesGpu(): boolean {
  const backend: unknown = tf.backend();
  return (
    typeof backend === 'object' &&
    backend !== null &&
    'isUsingGpuDevice' in backend &&
    backend.isUsingGpuDevice === true
  );
}

function nativeDevice(name: NativeBackendName, probe: NativeProbeResult): string {
  if (nativeUsesGpu()) return `GPU: ${probe.gpuName ?? 'TensorFlow GPU device 0 (name not logged)'}`;
  if (name === 'tensorflow-gpu') {
    const why = probe.gpuProblem === null ? '' : `: ${probe.gpuProblem}`;
    return `CPU (tfjs-node-gpu loaded but found no usable GPU${why}): ${describeCpu()}`;
  }
  return `CPU (libtensorflow): ${describeCpu()}`;
}

async function probeOrThrow(name: NativeBackendName, options: SelectBackendOptions): Promise<NativeProbeResult> {
  const probe = await probeNativeBackend(NATIVE_PACKAGES[name], options.probe);
  if (!probe.ok) throw new Unavailable(probe.reason ?? 'the probe failed');
  return probe;
}

async function useNative(name: NativeBackendName, probe: NativeProbeResult): Promise<BackendInfo> {
  await activateNative(probe);
  return { name, device: nativeDevice(name, probe) };
}

async function useWasm(): Promise<BackendInfo> {
  try {
    await activateWasm();
  } catch (error) {
    throw new Unavailable(errorMessage(error));
  }
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD, ' : '';
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'several threads' : '1 thread';
  return { name: 'wasm', device: `CPU (wasm, ${simd}${threads}): ${describeCpu()}` };
}

async function useCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Unavailable('the cpu backend failed to initialise');
  // tfjs-backend-cpu greets its first tensor in Node with a banner advising tfjs-node: `auto` already picks tfjs-node
  // where it loads, and whoever names cpu chose it, so the banner would only clutter the output (it was printed by
  // every process of a run). Its flag is the backend's own field.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  return { name: 'cpu', device: `CPU (plain JavaScript, 1 thread): ${describeCpu()}` };
}

async function useForced(name: BackendName, options: SelectBackendOptions): Promise<BackendInfo> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return useNative(name, await probeOrThrow(name, options));
    case 'wasm':
      return useWasm();
    case 'cpu':
      return useCpu();
    case 'webgpu':
    case 'webgl':
      // The runner hosts these in a browser page (benchmarks/gpu/); this process cannot make them active.
      throw new Unavailable(`it runs in a browser engine's page (Chromium or Electron), not in a Node process`);
  }
}

/**
 * Makes a TensorFlow.js backend active in this process and says which, and on what device.
 *
 * - `auto`: the first that loads of tensorflow-gpu → tensorflow → wasm → cpu. A tfjs-node-gpu that found no GPU is
 *   used only when tfjs-node is not available (it then runs libtensorflow on the CPU, still faster than wasm), and its
 *   device says so.
 * - a named backend: that one, or a UserError naming it and why it failed, e.g.
 *   `backend "tensorflow" is not available: @tensorflow/tfjs-node is not installed (npm install …)`.
 *
 * Native packages are first loaded in a child process (see native-probe.ts), so a crash there cannot kill this one.
 */
export async function selectBackend(choice: BackendChoice, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  if (choice !== 'auto') {
    try {
      return await useForced(choice, options);
    } catch (error) {
      if (error instanceof Unavailable) {
        throw new UserError(`backend "${choice}" is not available: ${error.message}`);
      }
      throw error;
    }
  }

  const reasons: string[] = [];
  let gpuPackageOnCpu: NativeProbeResult | null = null;
  for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
    try {
      const probe = await probeOrThrow(name, options);
      if (name === 'tensorflow-gpu' && !probe.gpu) {
        gpuPackageOnCpu = probe;
        reasons.push(
          `tensorflow-gpu: loads but found no usable GPU${probe.gpuProblem ? ` (${probe.gpuProblem})` : ''}`,
        );
        continue;
      }
      return await useNative(name, probe);
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      reasons.push(`${name}: ${error.message}`);
    }
  }
  if (gpuPackageOnCpu !== null) {
    try {
      return await useNative('tensorflow-gpu', gpuPackageOnCpu);
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      reasons.push(`tensorflow-gpu: ${error.message}`);
    }
  }
  for (const use of [useWasm, useCpu]) {
    try {
      return await use();
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      reasons.push(error.message);
    }
  }
  throw new Error(`no TensorFlow.js backend could be started: ${reasons.join('; ')}`);
}
