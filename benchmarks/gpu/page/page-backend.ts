import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BackendInfo } from '../../backend/select-backend.js';
import { describeAdapter, type GpuAdapter } from '../adapter.js';
import { isOutOfMemory } from '../gpu-failure.js';
import type { BrowserBackendName } from '../browser-backends.js';
import { webglAdapter, webgpuAdapter, type AdapterInfo } from './adapters.js';
import { setPageFlags } from './page-flags.js';

/** Why the GPU stopped being usable mid-run; `outOfMemory` when the engine said so. */
export interface GpuFailure {
  reason: string;
  outOfMemory: boolean;
}

export interface ActiveBackend {
  info: BackendInfo;
  adapter: GpuAdapter;
  /** Loses the device or context as a driver reset would (WebGPU destroy, WEBGL_lose_context): tests use it. */
  lose(): void;
}

function webgpuDevice(): GPUDevice {
  return (tf.backend() as unknown as WebGPUBackend & { device: GPUDevice }).device;
}

const MIB = 1024 * 1024;

/**
 * Makes tfjs-backend-webgpu refuse, at once and with a message that names the limit, a buffer larger than the device
 * allows. It checks no sizes itself: the device then reports a validation error only asynchronously, while the rest
 * of the training step goes on with invalid buffers (seen with SwiftShader: a batch beyond maxBufferSize went on
 * allocating the buffers that did fit until the page crashed minutes later). Thrown here, the error fails the step,
 * and with it the trial, which the host reports as out of memory with what to try.
 */
function checkBufferSizes(backend: WebGPUBackend, device: GPUDevice): void {
  const manager = backend.bufferManager;
  const acquire = manager.acquireBuffer.bind(manager);
  const { maxBufferSize, maxStorageBufferBindingSize } = device.limits;
  manager.acquireBuffer = (size, usage, ...rest) => {
    const storage = (usage & GPUBufferUsage.STORAGE) !== 0;
    const limit = storage ? Math.min(maxBufferSize, maxStorageBufferBindingSize) : maxBufferSize;
    if (size > limit) {
      const name =
        storage && maxStorageBufferBindingSize < maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
      throw new Error(
        `a WebGPU buffer of ${(size / MIB).toFixed(0)} MiB exceeds this device's ${name} ` +
          `(${(limit / MIB).toFixed(0)} MiB)`,
      );
    }
    return acquire(size, usage, ...rest);
  };
}

function webglContext(): WebGL2RenderingContext {
  return (tf.backend() as MathBackendWebGL).gpgpu.gl as WebGL2RenderingContext;
}

/**
 * Makes the TensorFlow.js `name` backend active in this page and says on what adapter it runs. `onFailure` is called
 * once if the GPU is lost later (device lost, context lost, or out of memory reported outside any call).
 */
export async function activateBackend(
  name: BrowserBackendName,
  runtime: string,
  onFailure: (failure: GpuFailure) => void,
): Promise<ActiveBackend> {
  setPageFlags();
  if (name === 'webgpu' && !('gpu' in navigator)) {
    throw new Error(
      'this browser engine has no WebGPU (navigator.gpu is missing; Chromium on Linux needs --enable-unsafe-webgpu)',
    );
  }
  if (!(await tf.setBackend(name)))
    throw new Error(`TensorFlow.js could not start its ${name} backend in this browser engine`);
  await tf.ready();
  let failed = false;
  const fail = (failure: GpuFailure): void => {
    if (failed) return;
    failed = true;
    onFailure(failure);
  };
  let adapter: GpuAdapter;
  let lose: () => void;
  if (name === 'webgpu') {
    const device = webgpuDevice();
    checkBufferSizes(tf.backend() as unknown as WebGPUBackend, device);
    lose = () => device.destroy();
    adapter = webgpuAdapter((device as GPUDevice & { adapterInfo: AdapterInfo }).adapterInfo);
    void device.lost.then((info) =>
      fail({ reason: `WebGPU device lost (${info.reason}): ${info.message}`, outOfMemory: false }),
    );
    // tfjs-backend-webgpu checks no sizes itself: a buffer beyond the device's maxBufferSize (or a binding beyond
    // maxStorageBufferBindingSize) is a validation error reported only here, and every command using it is then
    // skipped, so the trial would go on training on zeros. Any uncaptured error fails the trial instead.
    device.addEventListener('uncapturederror', (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      if (error instanceof GPUOutOfMemoryError)
        fail({ reason: `WebGPU out of memory: ${error.message}`, outOfMemory: true });
      else fail({ reason: `WebGPU error: ${error.message.trim()}`, outOfMemory: isOutOfMemory(error.message) });
    });
  } else {
    const gl = webglContext();
    lose = () => gl.getExtension('WEBGL_lose_context')?.loseContext();
    adapter = webglAdapter(gl);
    gl.canvas.addEventListener('webglcontextlost', () => fail({ reason: 'WebGL context lost', outOfMemory: false }));
    if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
      adapter = { ...adapter, description: `${adapter.description} (float16 textures only: expect lower precision)` };
    }
  }
  return { info: { name, device: describeAdapter(adapter, runtime) }, adapter, lose };
}
