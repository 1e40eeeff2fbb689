import type { AdapterProbe, GpuAdapter, GpuReport } from '../domain.js';
import type { BrowserBackendName } from './browser-backends.js';

export type { AdapterProbe, GpuAdapter, GpuReport };

/** Renderer names of CPU rasterisers that browser engines fall back to when there is no usable GPU. */
const SOFTWARE_RENDERERS =
  /swiftshader|llvmpipe|lavapipe|softpipe|software ?(renderer|rasterizer|adapter)|microsoft basic render|\bwarp\b/i;

export function isSoftwareRenderer(...names: string[]): boolean {
  return names.some((name) => SOFTWARE_RENDERERS.test(name));
}

const API_LABEL: Record<BrowserBackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL2' };

/**
 * The `device` recorded on a trial, e.g.
 * `GPU (WebGPU in Chromium 156.0.8078.108): nvidia ampere, NVIDIA GeForce RTX 3080` or
 * `software adapter, not a GPU (WebGPU in Chromium 156.0.8078.108): google swiftshader`.
 */
export function describeAdapter(adapter: GpuAdapter, runtime: string): string {
  const parts = [[adapter.vendor, adapter.architecture].filter((p) => p !== '').join(' '), adapter.description];
  const name = parts.filter((p) => p !== '').join(', ') || 'unnamed adapter';
  const kind = adapter.software ? 'software adapter, not a GPU' : 'GPU';
  return `${kind} (${API_LABEL[adapter.api]} in ${runtime}): ${name}`;
}
