import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NATIVE_PACKAGES, probeNativeBackend } from '../backend/native-probe.js';
import { errorMessage } from '../errors.js';
import { userDataDir } from '../paths.js';
import type { BrowserBackendName } from './browser-backends.js';
import { chromiumArgs, ChromiumPages } from './chromium-pages.js';
import { findChromium } from './find-chromium.js';
import type { PageOpener } from './page-channel.js';
import type { AdapterProbe, GpuReport } from './adapter.js';

export type { GpuReport };

/** A report for an engine that could not be probed at all (no browser found, it did not start, …). */
export function unprobedReport(problem: string): GpuReport {
  return { engine: null, webgpu: null, webgl: null, problems: [problem] };
}

/** Asks a fresh page which adapters its engine offers, without starting TensorFlow.js. */
export async function probeAdapters(open: PageOpener): Promise<GpuReport> {
  const page = await open();
  try {
    const probe = await new Promise<AdapterProbe>((resolve, reject) => {
      page.onMessage((m) => {
        if (m.type === 'probed') resolve(m.probe);
      });
      page.onGone(reject);
      page.post({ type: 'probe' }).catch(reject);
    });
    return { ...probe, engine: page.runtime };
  } finally {
    await page.close();
  }
}

/**
 * What `--backend auto` takes from a browser engine: a hardware WebGPU adapter first (compute shaders, the faster
 * tfjs GPU backend), then hardware WebGL2; never a software adapter (SwiftShader, llvmpipe), which is slower than
 * the wasm backend. Null: no hardware GPU, so auto goes on to the Node backends.
 */
export function pickBrowserBackend(probe: AdapterProbe): BrowserBackendName | null {
  if (probe.webgpu && !probe.webgpu.software) return 'webgpu';
  if (probe.webgl && !probe.webgl.software) return 'webgl';
  return null;
}

interface CachedProbe {
  key: string;
  probe: GpuReport;
}

/** Bumped when the cached report's shape changes, so an older cache is probed again. */
const CACHE_VERSION = 2;

/**
 * The probe of the system Chromium, cached by its path, modification time and flags (a new browser is probed again).
 * Never throws: when there is no Chromium or it does not start, the report has no engine and says why.
 */
export async function chromiumReport(cacheFile = join(userDataDir(), 'gpu-probe.json')): Promise<GpuReport> {
  let path: string;
  try {
    path = findChromium();
  } catch (error) {
    return unprobedReport(errorMessage(error));
  }
  const key = JSON.stringify([CACHE_VERSION, path, statSync(path).mtimeMs, chromiumArgs()]);
  try {
    if (existsSync(cacheFile)) {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedProbe;
      if (cached.key === key) return cached.probe;
    }
  } catch {
    // an unreadable cache only costs a probe
  }
  const pages = new ChromiumPages(() => path);
  let probe: GpuReport;
  try {
    probe = await probeAdapters(pages.open);
  } catch (error) {
    return unprobedReport(`could not probe ${path} for a GPU: ${errorMessage(error)}`);
  } finally {
    await pages.close();
  }
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, probe } satisfies CachedProbe, null, 2));
    renameSync(tmp, cacheFile);
  } catch {
    // a cache we cannot write only costs a probe next time
  }
  return probe;
}

/**
 * `--backend auto` on a browser engine: a browser backend when `report` has a hardware GPU adapter, unless
 * tfjs-node-gpu found a CUDA GPU (it runs cuDNN kernels and goes first); null otherwise.
 */
export async function autoBrowserBackend(report: () => Promise<GpuReport>): Promise<BrowserBackendName | null> {
  const native = await probeNativeBackend(NATIVE_PACKAGES['tensorflow-gpu']);
  if (native.ok && native.gpu) return null;
  return pickBrowserBackend(await report());
}

/** Calls `probe` once; later calls share its answer (a probe starts a browser page: once per process is enough). */
export function once<T>(probe: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | null = null;
  return () => (answer ??= probe());
}
