import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../support/machine-load.js';
import { writeDigitFolder } from '../unit/datasets/image-folder-fixtures.js';
import { ROOT, cli, query, sandbox } from './cli-helpers.js';

/**
 * `init --source <a model>` as a new user runs it, then `run` of the suite it wrote: every kind of brought model.
 */
const box = sandbox();
const digits = join(box.dir, 'digits');

/** The suite init wrote, cut down to seconds of training: one seed, the smallest size, small budgets. */
export function trimmedSuite(path: string, out: string): string {
  const spec = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & {
    sizes: number[];
    approaches: Record<string, { epochs: number; minSteps: number; learningRate: number | number[] }>;
  };
  spec.sizes = spec.sizes.slice(0, 1);
  spec.seeds = [0];
  for (const settings of Object.values(spec.approaches)) {
    settings.epochs = 1;
    settings.minSteps = 4;
    settings.learningRate = [settings.learningRate].flat()[0]!;
  }
  writeFileSync(out, JSON.stringify(spec));
  return out;
}

beforeAll(async () => {
  await writeDigitFolder(digits, [3, 5, 8], 12);
});

describe('init --source with a brought model', () => {
  it('takes a uint8-quantised Keras-named MobileNetV2 (model.json), and run trains every approach on it', () => {
    const model = join(box.dir, 'model');
    const written = spawnSync(
      process.execPath,
      [
        join(ROOT, 'scripts', 'write-keras-mobilenet.js'),
        model,
        '--alpha',
        '0.35',
        '--size',
        '32',
        '--quantize',
        'uint8',
      ],
      { encoding: 'utf8', timeout: scaled(300_000) },
    );
    expect(written.status, written.stderr).toBe(0);
    const out = join(box.dir, 's.json');
    // the command of issue 18, with the default backend
    const init = cli(box, ['init', digits, '--source', join(model, 'model.json'), '--out', out]);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toContain('cut at layer "global_average_pooling2d"');
    const spec = JSON.parse(readFileSync(out, 'utf8'));
    expect(spec.pretrainedModel).toMatchObject({ path: 'model/model.json', cutLayer: 'global_average_pooling2d' });
    expect(Object.keys(spec.approaches)).toEqual(['scratch', 'finetune', 'linear-probe', 'partial']);

    const run = cli(box, ['run', trimmedSuite(out, join(box.dir, 's-short.json')), '--workers', '1']);
    expect(run.status, run.stderr).toBe(0);
    const trials = query<{ approach: string; status: string }>(box.db, 'SELECT approach, status FROM trials');
    expect(new Set(trials.map((t) => t.approach))).toEqual(new Set(['scratch', 'finetune', 'linear-probe', 'partial']));
    expect(new Set(trials.map((t) => t.status))).toEqual(new Set(['done']));
  });
});
