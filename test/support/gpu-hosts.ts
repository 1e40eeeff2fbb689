import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialKey } from '../../benchmarks/domain.js';
import type { ChromiumPage } from '../../benchmarks/gpu/chromium-pages.js';
import { ChromiumPages } from '../../benchmarks/gpu/chromium-pages.js';
import { GpuHost } from '../../benchmarks/gpu/gpu-host.js';
import type { FromWorker } from '../../benchmarks/runner/worker-protocol.js';
import { suiteSpec, type SuiteSpec } from '../../benchmarks/spec/suite-schema.js';
import { CHROMIUM_PATH } from './system.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Pages of Debian's Chromium for GPU worker tests; they need `npm run build` (dist/gpu). */
export function testPages(): ChromiumPages {
  if (!existsSync(join(ROOT, 'dist', 'gpu', 'page-worker.js'))) throw new Error('run `npm run build` first');
  return new ChromiumPages(() => CHROMIUM_PATH);
}

export const GPU_BACKENDS = ['webgpu', 'webgl'] as const;

export function gpuSpec(overrides: Record<string, unknown>): SuiteSpec {
  return suiteSpec.parse({
    name: 'gpu-test',
    architecture: 'mlp',
    target: { dataset: { kind: 'mnist', classes: [0, 1] }, testPerClass: 5 },
    sizes: [10],
    seeds: [0],
    approaches: { scratch: { learningRate: 0.01, batchSize: 10, epochs: 1, minSteps: 1, patience: 1 } },
    evalEverySteps: 1,
    // these tests compare backends, not protocols: one held-out training per trial, no k-fold at tiny sizes
    crossValidateBelow: 0,
    ...overrides,
  });
}

/** A GpuHost over pages of one Chromium, collecting what it sends; `last` is the page it opened last. */
export function gpuHost(pages: ChromiumPages) {
  const sent: FromWorker[] = [];
  let last: ChromiumPage | null = null;
  const host = new GpuHost(
    async () => (last = (await pages.open()) as ChromiumPage),
    (m) => sent.push(m),
  );
  const trial = async (s: SuiteSpec, trialId: number, key: TrialKey, onEpoch?: () => Promise<void>) => {
    const before = sent.length;
    let epochSeen = false;
    const job = host.handle({ type: 'trial', job: { trialId, spec: s, baseDir: ROOT, key, base: null } });
    if (onEpoch) {
      while (!epochSeen) {
        await new Promise((r) => setTimeout(r, 20));
        epochSeen = sent.slice(before).some((m) => m.type === 'trial-epoch' || m.type === 'trial-done');
      }
      await onEpoch();
    }
    await job;
    const done = sent.slice(before).find((m) => m.type === 'trial-done');
    if (done?.type !== 'trial-done') throw new Error('no trial-done');
    return done;
  };
  return { host, sent, trial, page: () => last! };
}
