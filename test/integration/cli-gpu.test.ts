import '@tensorflow/tfjs-backend-cpu';
import { existsSync, writeFileSync } from 'node:fs';
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
  train_size: number;
  status: string;
  backend: string;
  device: string;
  test_accuracy: number;
}

/**
 * `transfer-bench run … --backend webgpu|webgl` end to end in Debian's Chromium, where the adapters are SwiftShader
 * (WebGPU needs --enable-unsafe-webgpu, which the GPU workers pass): every trial is stored with the adapter named.
 */
describe.skipIf(!requireSystem('chromium'))('the CLI on the browser GPU backends', () => {
  // the two runs at once: each is its own CLI process with its own Chromium, mostly waiting on the other's start-up
  it.concurrent.each([
    ['webgpu', /^software adapter, not a GPU \(WebGPU in Chromium [\d.]+\): google swiftshader/],
    ['webgl', /^software adapter, not a GPU \(WebGL2 in Chromium [\d.]+\): .*SwiftShader/],
  ])('runs a tiny suite on %s and records the software adapter on every trial', async (backend, device) => {
    if (!existsSync(join(ROOT, 'dist', 'gpu', 'page-worker.js'))) throw new Error('run `npm run build` first');
    const box = sandbox();
    const run = await finished(cliAsync(box, ['run', GPU_SUITE, '--backend', backend]));
    expect(run.status, run.stderr).toBe(0);
    const trials = query<StoredTrial>(
      box.db,
      'SELECT train_size, status, backend, device, test_accuracy FROM trials ORDER BY train_size',
    );
    expect(trials.map((t) => [t.train_size, t.status, t.backend])).toEqual([
      [10, 'done', backend],
      [20, 'done', backend],
    ]);
    for (const trial of trials) {
      expect(trial.device).toMatch(device);
      expect(trial.test_accuracy).toBeGreaterThan(0.4);
    }
  });
  // Fine-tuning and the linear probe start from a model: every such trial failed on webgpu with "WebGPU device lost",
  // as their synchronous reads (a check of the model's weights, the frozen features) went through a WebGPU canvas.
  it.concurrent.each(['webgpu', 'webgl'])(
    'defect 12: trains every approach that starts from a model on %s, and exits 0',
    async (backend) => {
      if (!existsSync(join(ROOT, 'dist', 'gpu', 'page-worker.js'))) throw new Error('run `npm run build` first');
      const box = sandbox();
      const model = buildModel('mlp', [28, 28, 1], 3, 0);
      await saveModel(model, join(box.dir, 'model'));
      model.dispose();
      const suite = join(box.dir, 'from-model.json');
      const settings = { learningRate: 0.01, batchSize: 10, epochs: 2, minSteps: 4, patience: 2 };
      writeFileSync(
        suite,
        JSON.stringify({
          name: 'from-model',
          architecture: 'mlp',
          pretrainedModel: { path: 'model/model.json', cutLayer: 'features' },
          target: { dataset: { kind: 'mnist', classes: [3, 4, 5] }, testPerClass: 20 },
          sizes: [20],
          seeds: [0],
          approaches: { scratch: settings, finetune: settings, 'linear-probe': settings },
          evalEverySteps: 2,
          crossValidateBelow: 0,
        }),
      );
      const run = await finished(cliAsync(box, ['run', suite, '--backend', backend]));
      expect(run.status, run.stderr).toBe(0);
      const trials = query<{ approach: string; status: string; error: string | null }>(
        box.db,
        'SELECT approach, status, error FROM trials ORDER BY approach',
      );
      expect(trials.map((t) => [t.approach, t.status, t.error])).toEqual([
        ['finetune', 'done', null],
        ['linear-probe', 'done', null],
        ['scratch', 'done', null],
      ]);
    },
  );
});
