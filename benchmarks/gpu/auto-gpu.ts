import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NATIVE_PACKAGES, probeNativeBackend } from '../backend/native-probe.js';
import { errorMessage } from '../errors.js';
import { userDataDir } from '../paths.js';
import type { BrowserBackendName } from './browser-backends.js';
import { chromiumArgs, ChromiumPages } from './chromium-pages.js';
import { findChromium } from './find-chromium.js';
import type { PageOpener } from './page-channel.js';
import type { AdapterProbe } from './page-protocol.js';

/** Asks a fresh page which adapters its engine offers, without starting TensorFlow.js. */
export async function probeAdapters(open: PageOpener): Promise<AdapterProbe> {
  const page = await open();
  try {
    return await new Promise<AdapterProbe>((resolve, reject) => {
      page.onMessage((m) => {
        if (m.type === 'probed') resolve(m.probe);
      });
      page.onGone(reject);
      page.post({ type: 'probe' }).catch(reject);
    });
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
  probe: AdapterProbe;
}

/** The probe of this Chromium, cached by its path, modification time and flags (a new browser is probed again). */
async function cachedChromiumProbe(cacheFile: string): Promise<AdapterProbe | null> {
  let path: string;
  try {
    path = findChromium();
  } catch {
    return null;
  }
  const key = JSON.stringify([path, statSync(path).mtimeMs, chromiumArgs()]);
  try {
    if (existsSync(cacheFile)) {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedProbe;
      if (cached.key === key) return cached.probe;
    }
  } catch {
    // an unreadable cache only costs a probe
  }
  const pages = new ChromiumPages(() => path);
  let probe: AdapterProbe;
  try {
    probe = await probeAdapters(pages.open);
  } catch (error) {
    console.error(`transfer-bench: could not probe ${path} for a GPU (${errorMessage(error)}); using the CPU backends`);
    return null;
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
 * `--backend auto` in the CLI and `serve`: a browser backend when the system Chromium has a hardware GPU adapter,
 * unless tfjs-node-gpu found a CUDA GPU (it runs cuDNN kernels and goes first); null otherwise.
 */
export async function autoBrowserBackend(
  cacheFile = join(userDataDir(), 'gpu-probe.json'),
): Promise<BrowserBackendName | null> {
  const native = await probeNativeBackend(NATIVE_PACKAGES['tensorflow-gpu']);
  if (native.ok && native.gpu) return null;
  const probe = await cachedChromiumProbe(cacheFile);
  return probe ? pickBrowserBackend(probe) : null;
}
