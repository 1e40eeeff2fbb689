import { isSoftwareRenderer, type GpuAdapter } from '../adapter.js';
import type { AdapterProbe } from '../page-protocol.js';

/** GPUAdapter.info, GPUDevice.adapterInfo and isFallbackAdapter arrived after the @webgpu/types we build against. */
export type AdapterInfo = GPUAdapterInfo & { isFallbackAdapter?: boolean };

export function webgpuAdapter(info: AdapterInfo): GpuAdapter {
  return {
    api: 'webgpu',
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description || info.device,
    software: info.isFallbackAdapter === true || isSoftwareRenderer(info.vendor, info.architecture, info.description),
  };
}

export function webglAdapter(gl: WebGL2RenderingContext): GpuAdapter {
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const vendor = String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR));
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return { api: 'webgl', vendor, architecture: '', description: renderer, software: isSoftwareRenderer(renderer) };
}

/** Asks the engine for its WebGPU adapter and a WebGL2 context without starting TensorFlow.js (for `--backend auto`). */
export async function probeAdapters(): Promise<AdapterProbe> {
  const problems: string[] = [];
  let webgpu: GpuAdapter | null = null;
  if (!('gpu' in navigator))
    problems.push(
      'webgpu: navigator.gpu is missing (WebGPU is off in this engine; Chromium on Linux needs --enable-unsafe-webgpu)',
    );
  else {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) webgpu = webgpuAdapter((adapter as GPUAdapter & { info: AdapterInfo }).info);
    else problems.push('webgpu: the engine offers no adapter (no GPU or driver it supports, and no fallback)');
  }
  let webgl: GpuAdapter | null = null;
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2');
  if (gl) {
    webgl = webglAdapter(gl);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  } else problems.push('webgl: no WebGL2 context (WebGL is off or the GPU is blocklisted in this engine)');
  return { webgpu, webgl, problems };
}
