#!/usr/bin/env node
/**
 * What a GPU page's first trial costs against the next ones: opens `pages` pages of Debian's Chromium one after
 * another, each running `trials` trials of the GPU tests' tiny suite (test/fixtures/gpu-tiny-suite.json: an MLP on
 * three MNIST digits, at its smallest size) on `backend`, and prints for each the wall time and the whole machine's
 * CPU seconds (from /proc/stat: Chromium's processes included, so run it on an otherwise idle machine). Needs
 * `npm run build`.
 *   node scripts/gpu-first-trial.js [webgl|webgpu] [trials per page, default 3] [pages, default 2]
 */
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'benchmarks');
const { ChromiumPages } = await import(join(dist, 'gpu', 'chromium-pages.js'));
const { GpuHost } = await import(join(dist, 'gpu', 'gpu-host.js'));
const { findChromium } = await import(join(dist, 'gpu', 'find-chromium.js'));
const { suiteSpec } = await import(join(dist, 'spec', 'suite-schema.js'));

const backend = process.argv[2] ?? 'webgl';
const trials = Number(process.argv[3] ?? 3);
const pageCount = Number(process.argv[4] ?? 2);

/** CPU seconds the whole machine has spent busy since boot. */
function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
}

// the GPU tests' fixture suite (an MLP on three MNIST digits), at its smallest size, one training per trial
const fixture = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'gpu-tiny-suite.json'), 'utf8'));
const spec = suiteSpec.parse({ ...fixture, sizes: fixture.sizes.slice(0, 1), crossValidateBelow: 0 });
const size = spec.sizes[0];
const pages = new ChromiumPages(findChromium);
const measured = async (what, action) => {
  const cpu = machineCpu();
  const start = performance.now();
  const result = await action();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${what}: ${seconds.toFixed(2)} s, ${(machineCpu() - cpu).toFixed(2)} CPU s`);
  return result;
};
try {
  for (let p = 0; p < pageCount; p++) {
    const sent = [];
    const host = new GpuHost(
      () => pages.open(),
      (m) => sent.push(m),
    );
    await measured(`page ${p + 1} on ${backend}: init`, () => host.handle({ type: 'init', backend }));
    for (let t = 0; t < trials; t++) {
      const job = {
        trialId: t + 1,
        spec,
        baseDir: root,
        key: { approach: 'scratch', trainSize: size, seed: t },
        base: null,
      };
      await measured(`page ${p + 1}: trial ${t + 1}`, () => host.handle({ type: 'trial', job }));
      const done = sent.filter((m) => m.type === 'trial-done').at(-1);
      if (done?.result.status !== 'done') throw new Error(`trial ${t + 1}: ${done?.result.error ?? 'no result'}`);
    }
    await host.close();
  }
} finally {
  await pages.close();
}
