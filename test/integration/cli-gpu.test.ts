import '@tensorflow/tfjs-backend-cpu';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../benchmarks/models/architectures.js';
import { saveModel } from '../../benchmarks/models/model-io.js';
import { requireSystem } from '../support/system.js';
import type { ChildProcess } from 'node:child_process';
import { cliAsync, query, ROOT, sandbox } from './cli-helpers.js';

const GPU_SUITE = join(ROOT, 'test', 'fixtures', 'gpu-tiny-suite.json');

/** The exit status and output of a CLI process, once it exits (spawnSync would keep the two runs in turn). */
function finished(child: ChildProcess): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface StoredTrial {
  approach: string;
  train_size: number;
  status: string;
  backend: string;
  device: string;
  test_accuracy: number;
  error: string | null;
}

/**
 * `transfer-bench run … --backend webgpu|webgl` end to end in Debian's Chromium, where the adapters are SwiftShader
 * (WebGPU needs --enable-unsafe-webgpu, which the GPU workers pass): every trial is stored with the adapter named.
 * One run per backend (a CLI process and a Chromium each: most of a run's cost) of the GPU fixture suite's target,
 * sizes and settings, with a saved model as its source so that every approach runs: scratch, and the two that start
 * from a model (defect 12).
 */
describe.skipIf(!requireSystem('chromium'))('the CLI on the browser GPU backends', () => {
  // the two runs at once: each is its own CLI process with its own Chromium, mostly waiting on the other's start-up
  it.concurrent.each([
    ['webgpu', /^software adapter, not a GPU \(WebGPU in Chromium [\d.]+\): google swiftshader/],
    ['webgl', /^software adapter, not a GPU \(WebGL2 in Chromium [\d.]+\): .*SwiftShader/],
  ])(
    'runs every approach of a tiny suite on %s, records the software adapter on every trial, and exits 0',
    async (backend, device) => {
      if (!existsSync(join(ROOT, 'dist', 'gpu', 'page-worker.js'))) throw new Error('run `npm run build` first');
      const box = sandbox();
      const model = buildModel('mlp', [28, 28, 1], 3, 0);
      await saveModel(model, join(box.dir, 'model'));
      model.dispose();
      const fixture = JSON.parse(readFileSync(GPU_SUITE, 'utf8')) as {
        sizes: number[];
        approaches: { scratch: Record<string, unknown> };
      };
      const settings = fixture.approaches.scratch;
      const suite = join(box.dir, 'from-model.json');
      writeFileSync(
        suite,
        JSON.stringify({
          ...fixture,
          name: 'gpu-tiny-from-model',
          pretrainedModel: { path: 'model/model.json', cutLayer: 'features' },
          approaches: { scratch: settings, finetune: settings, 'linear-probe': settings },
          crossValidateBelow: 0,
        }),
      );
      const run = await finished(cliAsync(box, ['run', suite, '--backend', backend]));
      expect(run.status, run.stderr).toBe(0);
      const trials = query<StoredTrial>(
        box.db,
        'SELECT approach, train_size, status, backend, device, test_accuracy, error FROM trials ORDER BY approach, train_size',
      );
      expect(trials.map((t) => [t.approach, t.train_size, t.status, t.backend, t.error])).toEqual(
        ['finetune', 'linear-probe', 'scratch'].flatMap((approach) =>
          fixture.sizes.map((size) => [approach, size, 'done', backend, null]),
        ),
      );
      for (const trial of trials) expect(trial.device).toMatch(device);
      // scratch learns the three digits well above chance (1/3) on the software adapter
      for (const trial of trials.filter((t) => t.approach === 'scratch')) {
        expect(trial.test_accuracy).toBeGreaterThan(0.4);
      }
    },
  );
});
