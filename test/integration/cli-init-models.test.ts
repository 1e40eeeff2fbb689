import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../benchmarks/backend/select-backend.js';
import { buildKerasMobilenetV2 } from '../../benchmarks/models/mobilenet-v2.js';
import { writeCatalogueFixture } from '../../benchmarks/models/write-catalogue-fixture.js';
import { calibrateBatchNorm } from '../../benchmarks/models/write-keras-mobilenet.js';
import { MODEL_HOST_ENV, catalogueEntry } from '../../benchmarks/spec/model-catalogue.js';
import { keras2Config, writeKeras2H5, writeKeras3Archive } from '../support/keras-files.js';
import { startModelHost, type ModelHost } from '../support/model-host.js';
import { scaled } from '../support/machine-load.js';
import { writeDigitFolder } from '../unit/datasets/image-folder-fixtures.js';
import { ROOT, cli, cliAsync, query, sandbox, type Sandbox } from './cli-helpers.js';

/**
 * `init --source <a model>` as a new user runs it, then `run` of the suite it wrote: every kind of brought model.
 */
const box = sandbox();
/**
 * The catalogue's smallest model (MobileNetV1 alpha 0.25 at 128×128, about a quarter of MobileNetV2 0.35 at 224×224's
 * FLOPs): the catalogue's download, cache and offline paths are the same for every entry, and init's throughput
 * measurement and the run train the model at its input size. The built-in imagenet-fashion suite's test downloads and
 * trains MobileNetV2 0.35 at 224×224 (test/integration/imagenet-fashion.test.ts), and the first test here trains a
 * uint8 Keras-named MobileNetV2.
 */
const MODEL = 'imagenet/mobilenet-v1-0.25-128';
const digits = join(box.dir, 'digits');

/** The CLI in a child process, without blocking this one (which serves the model host). */
function cliAsyncResult(
  sandboxed: Sandbox,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = cliAsync(sandboxed, args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * The suite init wrote, cut down to seconds of training: one seed, the smallest size, one epoch of one step (the
 * smallest size fits one batch), one learning rate per approach and no cross-validation. What the runs here show is that every approach
 * starts from the brought model and finishes; more steps train the same graph again.
 */
export function trimmedSuite(path: string, out: string): string {
  const spec = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & {
    sizes: number[];
    crossValidateBelow: number;
    approaches: Record<string, { epochs: number; minSteps: number; learningRate: number | number[] }>;
  };
  spec.sizes = spec.sizes.slice(0, 1);
  spec.seeds = [0];
  // one training per trial: at the smallest size the validation split has under 10 images a class, where the suite
  // init wrote cross-validates (5 folds and a final training); estimate-held.test.ts runs a k-fold suite by the CLI
  spec.crossValidateBelow = 0;
  for (const settings of Object.values(spec.approaches)) {
    settings.epochs = 1;
    settings.minSteps = 1;
    settings.learningRate = [settings.learningRate].flat()[0]!;
  }
  writeFileSync(out, JSON.stringify(spec));
  return out;
}

let host: ModelHost;
const hostRoot = join(box.dir, 'host');

beforeAll(async () => {
  await writeDigitFolder(digits, [3, 5, 8], 12);
  // the catalogue's host, served from here: tfjs-models' MobileNetV1 at alpha 0.25 and 128×128 (the catalogue's
  // smallest model) in the host's layout, with its layer names and random weights, quantised to uint8 as the
  // converter's --quantize_uint8 writes them (the kind of weights issue 18 brought)
  await selectBackend('wasm');
  writeCatalogueFixture(hostRoot, catalogueEntry(MODEL)!, 5, 'uint8');
  host = await startModelHost(hostRoot);
  box.env[MODEL_HOST_ENV] = host.url;
});

afterAll(() => host.close());

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

  it(
    'takes a catalogue name: downloads with a progress bar, records the weights, then works from the cache offline',
    async () => {
      const hosted = JSON.parse(
        readFileSync(join(hostRoot, ...catalogueEntry(MODEL)!.hostPath.split('/')), 'utf8'),
      ) as { weightsManifest: { weights: { quantization?: { dtype: string } }[] }[] };
      expect(new Set(hosted.weightsManifest[0]!.weights.map((w) => w.quantization?.dtype))).toEqual(new Set(['uint8']));
      const out = join(box.dir, 'catalogue.json');
      // asynchronously: the model host answers from this process
      const init = await cliAsyncResult(box, ['init', digits, '--source', MODEL, '--out', out]);
      expect(init.status, init.stderr).toBe(0);
      // bytes, rate and time left
      // bytes (all of them at the end), rate and time left
      expect(init.stderr).toMatch(/downloading imagenet\/mobilenet-v1-0\.25-128 .* (\d+ KiB) of \1 \| .*\/s \| ETA /);
      expect(init.stdout).toMatch(
        /source {8}model imagenet\/mobilenet-v1-0\.25-128, cut at layer "flatten", input 128×128×3, weights SHA-256 [0-9a-f]{64}/,
      );
      const spec = JSON.parse(readFileSync(out, 'utf8'));
      expect(spec.pretrainedModel).toMatchObject({
        path: MODEL,
        cutLayer: 'flatten',
        inputShape: [128, 128, 3],
      });
      expect(spec.pretrainedModel.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(spec.pixelScaling).toBe('[-1,1]');
      // the digits stay 28×28 grayscale: fitted to the model's input as they are trained on
      expect(spec.target.dataset).toMatchObject({ imageSize: [28, 28], channels: 1 });
      const cached = join(box.dir, 'cache', 'catalogue', 'imagenet', 'mobilenet-v1-0.25-128');
      expect(readdirSync(join(cached, 'download')).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
      const served = host.requests.length;

      // no network: the cache serves
      await host.close();
      const again = cli(box, ['init', digits, '--source', MODEL, '--out', out, '--force']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('downloading');
      expect(host.requests).toHaveLength(served);
      expect(JSON.parse(readFileSync(out, 'utf8')).pretrainedModel.sha256).toBe(spec.pretrainedModel.sha256);

      // no network and no cache: one line naming the URL, the cache folder and --model-dir; nothing written
      const empty = sandbox();
      const refused = join(empty.dir, 'refused.json');
      const offline = cli({ ...empty, env: { ...empty.env, [MODEL_HOST_ENV]: host.url } }, [
        'init',
        digits,
        '--source',
        MODEL,
        '--out',
        refused,
      ]);
      expect(offline.status).toBe(1);
      expect(offline.stderr.trim().split('\n')).toHaveLength(1);
      expect(offline.stderr).toContain(
        `cannot download ${MODEL} from ${host.url}/tfjs-models/tfjs/mobilenet_v1_0.25_128/model.json`,
      );
      expect(offline.stderr).toContain(
        join(empty.dir, 'cache', 'catalogue', 'imagenet', 'mobilenet-v1-0.25-128', 'download'),
      );
      expect(offline.stderr).toContain('--model-dir');
      expect(existsSync(refused)).toBe(false);
      expect(existsSync(join(empty.dir, 'cache', 'catalogue'))).toBe(false);
      expect(existsSync(empty.db)).toBe(false);

      // the suite init wrote trains every approach on the uint8 MobileNetV1 at 128×128, offline
      const run = cli(box, ['run', trimmedSuite(out, join(box.dir, 'catalogue-short.json')), '--workers', '1']);
      expect(run.status, run.stderr).toBe(0);
      const trials = query<{ approach: string; status: string }>(
        box.db,
        `SELECT approach, status FROM trials WHERE suite_id = (SELECT MAX(id) FROM suites)`,
      );
      expect(trials.map((t) => t.approach).sort()).toEqual(['finetune', 'linear-probe', 'partial', 'scratch']);
      expect(trials.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
      const report = cli(box, ['report', 'latest', '--out', join(box.dir, 'report.md')]);
      expect(report.status, report.stderr).toBe(0);
      const text = readFileSync(join(box.dir, 'report.md'), 'utf8');
      expect(text).toContain(`weights SHA-256 ${spec.pretrainedModel.sha256}`);
      expect(text).toContain(
        "images fitted to the model's 128×128×3 input: resized from 28×28 to 128×128 (bilinear); grayscale repeated to the three channels of its RGB input; pixels scaled to \\[-1,1\\]",
      ); // (Markdown escapes the brackets)
    },
    // three inits (the first measures throughput at 128×128) and a run: longer than one test's default under load
    scaled(900_000),
  );

  it.each(['h5', 'keras'])(
    'takes a .%s file written in the Keras layout, and run trains every approach on it',
    async (extension) => {
      const model = buildKerasMobilenetV2({ alpha: 0.35, inputSize: 32, classes: 10, seed: 6 });
      calibrateBatchNorm(model, 32, 6, 8);
      const file = join(box.dir, `mobilenet_v2.${extension}`);
      if (extension === 'h5') await writeKeras2H5(file, model);
      else await writeKeras3Archive(file, model, box.dir);
      model.dispose();
      const out = join(box.dir, `${extension}.json`);
      const init = cli(box, ['init', digits, '--source', file, '--out', out]);
      expect(init.status, init.stderr).toBe(0);
      expect(init.stdout).toMatch(
        new RegExp(
          `source {8}model mobilenet_v2\\.${extension}, cut at layer "global_average_pooling2d", input 32×32×3, weights SHA-256 [0-9a-f]{64}`,
        ),
      );
      const spec = JSON.parse(readFileSync(out, 'utf8'));
      expect(spec.pretrainedModel).toMatchObject({
        path: `mobilenet_v2.${extension}`,
        cutLayer: 'global_average_pooling2d',
        inputShape: [32, 32, 3],
      });
      expect(spec.pretrainedModel.sha256).toMatch(/^[0-9a-f]{64}$/);
      const run = cli(box, ['run', trimmedSuite(out, join(box.dir, `${extension}-short.json`)), '--workers', '1']);
      expect(run.status, run.stderr).toBe(0);
      const trials = query<{ approach: string; status: string }>(
        box.db,
        `SELECT approach, status FROM trials WHERE suite_id = (SELECT MAX(id) FROM suites)`,
      );
      expect(trials.map((t) => t.approach).sort()).toEqual(['finetune', 'linear-probe', 'partial', 'scratch']);
      expect(trials.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
    },
    scaled(600_000),
  );

  it('refuses a Keras file with a layer TensorFlow.js lacks: one line naming it and the file, nothing written', async () => {
    const model = buildKerasMobilenetV2({ alpha: 0.35, inputSize: 32, classes: 10, seed: 7 });
    const config = keras2Config(model) as { config: { layers: { class_name: string }[] } };
    config.config.layers[5]!.class_name = 'RandomFourierFeatures';
    const odd = sandbox();
    const file = join(odd.dir, 'odd.h5');
    await writeKeras2H5(file, model, config);
    model.dispose();
    const out = join(odd.dir, 'odd.json');
    const refused = cli(odd, ['init', digits, '--source', file, '--out', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      `transfer-bench: ${file} has a layer of type RandomFourierFeatures, which Transfer Bench cannot run (TensorFlow.js has no such layer): cut the model below it in Keras, or bring another model`,
    ]);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(odd.dir, 'cache', 'keras'))).toBe(false);
    expect(existsSync(odd.db)).toBe(false);
  });
});
