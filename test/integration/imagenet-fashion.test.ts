import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../benchmarks/backend/select-backend.js';
import { builtinSuitesDir } from '../../benchmarks/spec/load-suite.js';
import { writeCatalogueFixture } from '../../benchmarks/models/write-catalogue-fixture.js';
import { MODEL_HOST_ENV, catalogueEntry } from '../../benchmarks/spec/model-catalogue.js';
import { scaled } from '../support/machine-load.js';
import { startModelHost, type ModelHost } from '../support/model-host.js';
import { requireSystem } from '../support/system.js';
import { cliAsync, query, sandbox } from './cli-helpers.js';

/**
 * The built-in `imagenet-fashion` suite from start to end, with a local stand-in for the catalogue's host: its model
 * (MobileNetV2 alpha 0.35 at 224×224, Teachable Machine's layout and Keras' names, random weights as float32 as the
 * host publishes them) downloaded by `run`, every approach trained on Fashion-MNIST through it, and the report naming
 * the weights. The suite is the built-in file with its budget cut to seconds (one size, one seed, a few steps, 10 test
 * images per class, the held-out split in place of the 5-fold cross-validation that its smallest size takes, which
 * trains each trial six times and is tested elsewhere): the model, data, pixel scaling, cut and partial fine-tuning's
 * `trainFrom` are the built-in's own.
 */
const box = sandbox();
const MODEL = 'imagenet/mobilenet-v2-0.35';
let host: ModelHost;

/** The built-in suite as a file, its budget cut down; everything else as shipped. */
function shortBuiltin(out: string): string {
  const spec = JSON.parse(readFileSync(join(builtinSuitesDir(), 'imagenet-fashion.json'), 'utf8')) as Record<
    string,
    unknown
  > & {
    sizes: number[];
    target: { testPerClass: number };
    approaches: Record<string, { epochs: number; minSteps: number }>;
  };
  spec.sizes = spec.sizes.slice(0, 1);
  spec.seeds = [0];
  spec.target.testPerClass = 10;
  spec.crossValidateBelow = 0;
  for (const settings of Object.values(spec.approaches)) {
    settings.epochs = 1;
    settings.minSteps = 4;
  }
  writeFileSync(out, JSON.stringify(spec));
  return out;
}

function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // asynchronously: the model host answers from this process
  const child = cliAsync(box, args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(!requireSystem('fashion-mnist'))('the built-in imagenet-fashion suite, its host served locally', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    writeCatalogueFixture(join(box.dir, 'host'), catalogueEntry(MODEL)!, 11);
    host = await startModelHost(join(box.dir, 'host'));
    box.env[MODEL_HOST_ENV] = host.url;
  });

  afterAll(() => host.close());

  it(
    'run downloads the model, trains every approach on Fashion-MNIST through it, and the report names the weights',
    async () => {
      const suite = shortBuiltin(join(box.dir, 'imagenet-fashion-short.json'));
      const run = await runCli(['run', suite, '--workers', '1']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/downloading imagenet\/mobilenet-v2-0\.35 .* of 1\.6 MiB \| .*\/s \| ETA /);
      const trials = query<{ approach: string; status: string }>(box.db, 'SELECT approach, status FROM trials');
      expect(trials.map((t) => t.approach).sort()).toEqual(['finetune', 'linear-probe', 'partial', 'scratch']);
      expect(trials.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
      // the stored suite records the weights its run loaded (the built-in names none)
      const [stored] = query<{ spec_json: string }>(box.db, 'SELECT spec_json FROM suites');
      const sha256 = (JSON.parse(stored!.spec_json) as { pretrainedModel: { sha256: string } }).pretrainedModel.sha256;
      expect(sha256).toMatch(/^[0-9a-f]{64}$/);

      const report = await runCli(['report', 'latest', '--out', join(box.dir, 'report.md')]);
      expect(report.status, report.stderr).toBe(0);
      const text = readFileSync(join(box.dir, 'report.md'), 'utf8');
      expect(text).toContain(`weights SHA-256 ${sha256}`);
      expect(text).toContain('Keras Applications MobileNetV2 (alpha 0.35, ImageNet, no top)');
      expect(text).toContain(
        "images fitted to the model's 224×224×3 input: resized to 224×224 (bilinear); grayscale repeated to the three channels of its RGB input; pixels scaled to \\[-1,1\\]",
      );
    },
    scaled(900_000),
  );
});
