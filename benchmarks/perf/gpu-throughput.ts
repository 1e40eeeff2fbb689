import { errorMessage } from '../errors.js';
import type { BrowserBackendName } from '../gpu/browser-backends.js';
import { ChromiumPages } from '../gpu/chromium-pages.js';
import type { PageChannel } from '../gpu/page-channel.js';
import type { FromPage, ToPage } from '../gpu/page-protocol.js';
import type { MobilenetV2Spec } from '../spec/suite-schema.js';
import { DEFAULT_STEPS } from './measure.js';
import { MOBILENET_ARCH, MOBILENET_BATCH } from './mobilenet.js';

/** A page's final answer to `message` (progress ignored); rejects if the page goes away or its GPU fails. */
function request(page: PageChannel, message: ToPage, isFinal: (m: FromPage) => boolean): Promise<FromPage> {
  return new Promise((resolve, reject) => {
    page.onMessage((m) => {
      if (m.type === 'gpu-failed') reject(new Error(m.reason));
      else if (isFinal(m)) resolve(m);
    });
    page.onGone((reason) => reject(new Error(reason)));
    page.post(message).catch(reject);
  });
}

const SOFTWARE_STEPS = { warmupSteps: 1, steps: 3 };

/** What a page trains: the reference CNN, or bench:perf's MobileNetV2 step (perf/mobilenet.ts). */
export interface GpuWorkload {
  label: string;
  arch: 'cnn' | MobilenetV2Spec;
  batchSize: number;
  steps: { warmupSteps: number; steps: number };
  /** On a software adapter (SwiftShader): a correctness run of a few steps, and its batch when smaller. */
  softwareSteps: { warmupSteps: number; steps: number };
  softwareBatchSize?: number;
}

export const CNN_WORKLOAD: GpuWorkload = {
  label: 'cnn',
  arch: 'cnn',
  batchSize: 64,
  steps: DEFAULT_STEPS.cnn,
  softwareSteps: SOFTWARE_STEPS,
};

export const MOBILENET_WORKLOAD: GpuWorkload = {
  label: 'mobilenet-v2',
  arch: MOBILENET_ARCH,
  batchSize: MOBILENET_BATCH,
  steps: { warmupSteps: 1, steps: 3 },
  // SwiftShader's WebGPU trains the CNN at ≈4 samples/s here, and this step has about a hundred times its work: one
  // step of 4 images, its shader compilation included, takes minutes
  softwareSteps: { warmupSteps: 0, steps: 1 },
  softwareBatchSize: 4,
};

export type GpuMeasurement =
  | {
      backend: BrowserBackendName;
      skipped: false;
      label: string;
      batchSize: number;
      device: string;
      software: boolean;
      steps: number;
      samplesPerSecond: number;
    }
  | { backend: BrowserBackendName; skipped: true; reason: string };

/**
 * The reference CNN (Adam, batch 64, synthetic MNIST-shaped data: train/reference-step.ts), or another `workload`, on
 * `backend` in a page of the system Chromium, timed inside the page after a warm-up, as the Node backends are timed.
 */
export async function measureGpuBackend(
  backend: BrowserBackendName,
  pages: ChromiumPages,
  workload: GpuWorkload = CNN_WORKLOAD,
): Promise<GpuMeasurement> {
  let page: PageChannel;
  try {
    page = await pages.open();
  } catch (error) {
    return { backend, skipped: true, reason: errorMessage(error) };
  }
  try {
    const ready = await request(page, { type: 'init', backend, runtime: page.runtime }, (m) =>
      ['ready', 'init-failed'].includes(m.type),
    );
    if (ready.type === 'init-failed') return { backend, skipped: true, reason: ready.error };
    if (ready.type !== 'ready') throw new Error(`unexpected reply ${ready.type}`);
    const device = ready.backend.device;
    const software = device.startsWith('software');
    // SwiftShader runs the CNN at a few samples/s (WebGPU ≈6, WebGL ≈40 here): a few steps tell as much
    const { warmupSteps, steps } = software ? workload.softwareSteps : workload.steps;
    const { arch, label } = workload;
    const batchSize = software ? (workload.softwareBatchSize ?? workload.batchSize) : workload.batchSize;
    const done = await request(
      page,
      { type: 'throughput', arch, batchSize, warmupSteps, steps },
      (m) => m.type === 'throughput-done',
    );
    if (done.type !== 'throughput-done') throw new Error(`unexpected reply ${done.type}`);
    const samplesPerSecond = done.samples / done.seconds;
    return { backend, skipped: false, label, device, software, steps, batchSize, samplesPerSecond };
  } catch (error) {
    return { backend, skipped: true, reason: errorMessage(error) };
  } finally {
    await page.close();
  }
}

/** `cnn webgpu: 6 samples/s (3 steps of 64, software adapter: not a GPU figure)` */
export function formatGpuThroughput(m: Extract<GpuMeasurement, { skipped: false }>): string {
  const label = m.software ? `, software adapter: not a GPU figure` : '';
  const r = m.samplesPerSecond;
  const rate = r < 1 ? r.toPrecision(2) : r < 10 ? r.toFixed(1) : String(Math.round(r));
  const steps = `${m.steps} ${m.steps === 1 ? 'step' : 'steps'} of ${m.batchSize}`;
  return `${m.label} ${m.backend}: ${rate} samples/s (${steps}${label})`;
}

/**
 * bench:perf's GPU section: the device, CNN and MobileNetV2 figures of webgpu and webgl (those of `backends` asked
 * for), or why each was skipped (no Chromium, no adapter).
 */
export async function gpuThroughputSection(
  backends: readonly string[],
  log: (line: string) => void = console.log,
): Promise<void> {
  const wanted = (['webgpu', 'webgl'] as const).filter((b) => backends.includes(b));
  if (wanted.length === 0) return;
  const pages = new ChromiumPages();
  try {
    for (const backend of wanted) {
      const m = await measureGpuBackend(backend, pages);
      if (m.skipped) {
        log(`skipped ${backend}: ${m.reason}`);
        continue;
      }
      log(`${backend} device: ${m.device}`);
      log(formatGpuThroughput(m));
      const mobilenet = await measureGpuBackend(backend, pages, MOBILENET_WORKLOAD);
      log(mobilenet.skipped ? `skipped mobilenet-v2 ${backend}: ${mobilenet.reason}` : formatGpuThroughput(mobilenet));
    }
  } finally {
    await pages.close();
  }
}
