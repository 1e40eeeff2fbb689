import { describeCpu } from '../backend/describe-cpu.js';
import { NATIVE_PACKAGES, probeNativeBackend, type NativeProbeResult } from '../backend/native-probe.js';
import type { AutoChoice, EnvironmentInfo } from '../contract.js';
import { errorMessage } from '../errors.js';
import { describeAdapter, type GpuAdapter, type GpuReport } from '../gpu/adapter.js';
import { pickBrowserBackend, unprobedReport } from '../gpu/auto-gpu.js';
import type { GpuWorkers } from '../gpu/gpu-forker.js';

function adapterName(adapter: GpuAdapter, engine: string | null): string {
  return describeAdapter(adapter, engine ?? 'a browser engine');
}

/** "google swiftshader" */
function shortName(adapter: GpuAdapter): string {
  const name = [adapter.vendor, adapter.architecture].filter((p) => p !== '').join(' ');
  return adapter.api === 'webgl' ? adapter.description || name : name || adapter.description;
}

/** Why the browser engine gives `auto` no GPU: each API's software adapter or its problem. */
function noHardwareGpu(report: GpuReport): string {
  if (report.engine === null) return report.problems.join('; ');
  const apis = (['webgpu', 'webgl'] as const).map((api) => {
    const adapter = report[api];
    if (adapter) return `${api}: only a software adapter (${shortName(adapter)})`;
    return report.problems.find((p) => p.startsWith(`${api}:`)) ?? `${api}: no adapter`;
  });
  return apis.join('; ');
}

/** "tfjs-node is not installed" or the probe's reason. */
function nativeProblem(p: NativeProbeResult): string {
  const name = p.package.replace('@tensorflow/', '');
  return p.version === null ? `${name} is not installed` : `${name}: ${p.reason ?? 'not usable'}`;
}

/**
 * The backend `auto` takes, in the order of select-backend.ts and gpu-forker.ts: tfjs-node-gpu on a CUDA GPU; a
 * hardware WebGPU, then WebGL2, adapter of the browser engine; tfjs-node (libtensorflow on the CPU); tfjs-node-gpu
 * without a GPU (still libtensorflow); wasm. Never a software adapter (SwiftShader, llvmpipe): slower than wasm.
 */
export function autoChoice(
  gpuPackage: NativeProbeResult,
  cpuPackage: NativeProbeResult,
  report: GpuReport,
): AutoChoice {
  if (gpuPackage.ok && gpuPackage.gpu) {
    return {
      backend: 'tensorflow-gpu',
      reason: `tfjs-node-gpu placed work on a CUDA GPU (${gpuPackage.gpuName ?? 'name not logged'})`,
    };
  }
  const browser = pickBrowserBackend(report);
  if (browser) {
    return { backend: browser, reason: `a hardware adapter: ${adapterName(report[browser]!, report.engine)}` };
  }
  const why = `no hardware GPU (${noHardwareGpu(report)})`;
  if (cpuPackage.ok) return { backend: 'tensorflow', reason: `${why}; tfjs-node runs libtensorflow on the CPU` };
  if (gpuPackage.ok) {
    const problem = gpuPackage.gpuProblem ? `: ${gpuPackage.gpuProblem}` : '';
    return {
      backend: 'tensorflow-gpu',
      reason: `${why}; tfjs-node-gpu found no CUDA GPU${problem} and runs libtensorflow on the CPU`,
    };
  }
  const native = [cpuPackage, gpuPackage].map(nativeProblem).join(', ');
  return { backend: 'wasm', reason: `${why}; ${native}; wasm runs on the CPU` };
}

/**
 * The environment as far as it is known now. The first call starts the probe in the background (it starts a
 * browser page, and a native-package probe process when one is installed and not cached): until it finishes,
 * `gpu` and `auto` are null and a UI shows "probing…". Never throws.
 */
export function environmentProbe(
  gpu: Pick<GpuWorkers, 'probe'>,
  probeNative: (pkg: (typeof NATIVE_PACKAGES)[keyof typeof NATIVE_PACKAGES]) => Promise<NativeProbeResult> = (pkg) =>
    probeNativeBackend(pkg),
): () => EnvironmentInfo {
  let known: { gpu: GpuReport; auto: AutoChoice | null } | null = null;
  let started = false;
  const start = async (): Promise<void> => {
    const [report, gpuPackage, cpuPackage] = await Promise.all([
      gpu.probe(),
      probeNative(NATIVE_PACKAGES['tensorflow-gpu']),
      probeNative(NATIVE_PACKAGES.tensorflow),
    ]);
    known = { gpu: report, auto: autoChoice(gpuPackage, cpuPackage, report) };
  };
  return () => {
    if (!started) {
      started = true;
      start().catch((error: unknown) => {
        known = { gpu: unprobedReport(`the probe failed: ${errorMessage(error)}`), auto: null };
      });
    }
    return { cpu: describeCpu(), probing: known === null, gpu: known?.gpu ?? null, auto: known?.auto ?? null };
  };
}
