import * as tf from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../benchmarks/backend/select-backend.js';
import type { TrialKey, TrialResult } from '../../benchmarks/domain.js';
import type { ChromiumPages } from '../../benchmarks/gpu/chromium-pages.js';
import { buildModel } from '../../benchmarks/models/architectures.js';
import { crossEntropy } from '../../benchmarks/train/metrics.js';
import { runTrial } from '../../benchmarks/train/run-trial.js';
import { createRng } from '../../benchmarks/datasets/seeded-random.js';
import { GPU_BACKENDS, gpuHost, gpuSpec, testPages } from '../support/gpu-hosts.js';
import { requireSystem } from '../support/system.js';
import { ROOT } from './cli-helpers.js';

/**
 * The browser GPU backends against the cpu backend, in Debian's Chromium (SwiftShader adapters): the same training
 * code must give the same numbers up to float rounding. Needs `npm run build` (dist/gpu).
 */
describe.skipIf(!requireSystem('chromium'))('webgpu and webgl in Chromium against the cpu backend', () => {
  let pages: ChromiumPages;
  beforeAll(() => {
    pages = testPages();
  });
  afterAll(() => pages?.close());

  describe('gradients of the reference CNN', () => {
    const shape: [number, number, number] = [14, 14, 1];
    const rng = createRng(3);
    const images = Float32Array.from({ length: 4 * 14 * 14 }, () => rng());
    const labels = Int32Array.from([0, 1, 2, 1]);
    let browser: Browser;
    let script: string;
    /** The cpu backend's gradients, computed once for both GPU backends. */
    let expected: Float32Array[];
    beforeAll(async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'tb-grad-')), 'gradients.js');
      await build({
        entryPoints: [join(ROOT, 'test', 'support', 'gpu-gradients-page.ts')],
        bundle: true,
        format: 'iife',
        platform: 'browser',
        outfile: out,
        logLevel: 'warning',
      });
      script = readFileSync(out, 'utf8');
      // the GPU workers' browser: one Chromium per file
      browser = await pages.launched();
      await selectBackend('cpu');
      const model = buildModel('cnn', shape, 3, 0);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      expected = tf.tidy(() => {
        const x = tf.tensor4d(images, [4, ...shape]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
        const { grads } = tf.variableGrads(
          () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
          variables,
        );
        return variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
      });
      model.dispose();
    });

    it.each(GPU_BACKENDS)('on %s match the cpu backend within 1e-5', async (backend) => {
      const page = await browser.newPage();
      await page.route('http://localhost/**', (route) =>
        route.fulfill({ contentType: 'text/html', body: `<!doctype html><script>${script}</script>` }),
      );
      await page.goto('http://localhost/');
      const actual = await page.evaluate(
        ([b, i, l, s]) =>
          (globalThis as unknown as { cnnGradients: (...a: unknown[]) => Promise<Float32Array[]> }).cnnGradients(
            b,
            i,
            l,
            s,
            3,
          ),
        [backend, images, labels, shape] as const,
      );
      await page.close();
      expect(actual.map((g) => g.length)).toEqual(expected.map((g) => g.length));
      let worst = 0;
      expected.forEach((g, k) => g.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - actual[k]![i]!)))));
      console.log(`${backend}: largest gradient difference from cpu ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-5);
    });
  });

  describe('a CNN trial with SGD', () => {
    const s = gpuSpec({
      architecture: 'cnn',
      target: { dataset: { kind: 'mnist', classes: [0, 1] }, testPerClass: 5 },
      sizes: [12],
      approaches: {
        scratch: { optimizer: 'sgd', learningRate: 0.05, batchSize: 5, epochs: 2, minSteps: 0, patience: 10 },
      },
    });
    const key: TrialKey = { approach: 'scratch', trainSize: 12, seed: 0 };
    /** The cpu backend's trial, run once for both GPU backends. */
    let cpu: Promise<TrialResult>;
    beforeAll(() => {
      cpu = selectBackend('cpu').then((info) =>
        runTrial({ trialId: 1, spec: s, baseDir: ROOT, key, base: null }, info, {
          onStart: () => {},
          onEvaluation: () => {},
        }),
      );
      cpu.catch(() => {}); // awaited by the tests, which report its failure
    });

    /**
     * SGD (momentum 0.9), not Adam: Adam divides by sqrt(v) + 1e-7, so on weights whose gradients are near zero it
     * turns float rounding differences (1e-7) into whole steps; SGD keeps them at the size of the rounding.
     */
    it.each(GPU_BACKENDS)('trains it on %s to the cpu result (losses within 1e-4)', async (backend) => {
      const { host, trial } = gpuHost(pages);
      await host.handle({ type: 'init', backend });
      const gpu: TrialResult = (await trial(s, 1, key)).result;
      await host.close();
      const reference = await cpu;
      expect(gpu.status, gpu.error ?? '').toBe('done');
      expect(gpu.epochRecords).toHaveLength(reference.epochRecords.length);
      const losses = (r: TrialResult) => [...r.epochRecords.flatMap((e) => [e.trainLoss, e.valLoss]), r.testLoss!];
      const worst = Math.max(...losses(gpu).map((l, i) => Math.abs(l - losses(reference)[i]!)));
      console.log(
        `${backend}: largest loss difference from cpu over ${gpu.epochRecords.length} epochs ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThan(1e-4);
      expect(gpu.testAccuracy).toBe(reference.testAccuracy);
    });
  });
});
