import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireSystem } from '../support/system.js';
import { cli, query, ROOT, sandbox } from './cli-helpers.js';

const GPU_SUITE = join(ROOT, 'test', 'fixtures', 'gpu-tiny-suite.json');

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
  it.each([
    ['webgpu', /^software adapter, not a GPU \(WebGPU in Chromium [\d.]+\): google swiftshader/],
    ['webgl', /^software adapter, not a GPU \(WebGL2 in Chromium [\d.]+\): .*SwiftShader/],
  ])(
    'runs a tiny suite on %s and records the software adapter on every trial',
    (backend, device) => {
      if (!existsSync(join(ROOT, 'dist', 'gpu', 'page-worker.js'))) throw new Error('run `npm run build` first');
      const box = sandbox();
      const run = cli(box, ['run', GPU_SUITE, '--backend', backend]);
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
    },
    120_000,
  );
});
