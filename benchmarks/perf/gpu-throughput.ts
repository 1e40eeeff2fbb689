import { errorMessage } from '../errors.js';
import type { BrowserBackendName } from '../gpu/browser-backends.js';
import { ChromiumPages } from '../gpu/chromium-pages.js';
import type { PageChannel } from '../gpu/page-channel.js';
import type { FromPage, ToPage } from '../gpu/page-protocol.js';
import { DEFAULT_STEPS } from './measure.js';

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

export type GpuMeasurement =
  | {
      backend: BrowserBackendName;
      skipped: false;
      device: string;
      software: boolean;
      steps: number;
      samplesPerSecond: number;
    }
  | { backend: BrowserBackendName; skipped: true; reason: string };

/**
 * The reference CNN (Adam, batch 64, synthetic MNIST-shaped data: train/reference-step.ts) on `backend` in a page of
 * the system Chromium, timed inside the page after a warm-up, as the Node backends are timed.
 */
export async function measureGpuBackend(backend: BrowserBackendName, pages: ChromiumPages): Promise<GpuMeasurement> {
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
    const { warmupSteps, steps } = software ? SOFTWARE_STEPS : DEFAULT_STEPS.cnn;
    const done = await request(
      page,
      { type: 'throughput', arch: 'cnn', batchSize: 64, warmupSteps, steps },
      (m) => m.type === 'throughput-done',
    );
    if (done.type !== 'throughput-done') throw new Error(`unexpected reply ${done.type}`);
    return { backend, skipped: false, device, software, steps, samplesPerSecond: done.samples / done.seconds };
  } catch (error) {
    return { backend, skipped: true, reason: errorMessage(error) };
  } finally {
    await page.close();
  }
}

/** `cnn webgpu: 6 samples/s (3 steps, software adapter: not a GPU figure)` */
export function formatGpuThroughput(m: Extract<GpuMeasurement, { skipped: false }>): string {
  const label = m.software ? `, software adapter: not a GPU figure` : '';
  return `cnn ${m.backend}: ${Math.round(m.samplesPerSecond)} samples/s (${m.steps} steps${label})`;
}

/**
 * bench:perf's GPU section: the device and CNN figure of webgpu and webgl (those of `backends` asked for), or why
 * each was skipped (no Chromium, no adapter).
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
    }
  } finally {
    await pages.close();
  }
}
