import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { UserError } from '../../../benchmarks/errors.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { loadModel, saveModel } from '../../../benchmarks/models/model-io.js';

const SHAPE: [number, number, number] = [12, 12, 1];

function predict(model: tfl.LayersModel): number[] {
  return tf.tidy(() => {
    const x = tf.randomUniform([4, ...SHAPE], 0, 1, 'float32', 5);
    return Array.from((model.predict(x) as tf.Tensor).dataSync());
  });
}

describe('saveModel / loadModel', () => {
  let root: string;
  let dir: string;
  let model: tfl.LayersModel;

  beforeAll(async () => {
    await selectBackend('cpu');
    root = mkdtempSync(join(tmpdir(), 'tb-model-io-'));
    model = buildModel('cnn', SHAPE, 3, 4);
  });
  afterAll(() => {
    model.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(async (context) => {
    dir = join(root, context.task.id);
    await saveModel(model, dir);
  });

  async function expectLoadError(path: string, reason: RegExp): Promise<void> {
    const error: unknown = await loadModel(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      new RegExp(`^model at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not load: `),
    );
    expect((error as Error).message).toMatch(reason);
  }

  it('writes model.json and weights.bin that load back, from the folder or the file, with the same predictions', async () => {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    expect(json.weightsManifest[0]!.paths).toEqual(['./weights.bin']);
    const expected = predict(model);
    for (const path of [dir, join(dir, 'model.json')]) {
      const loaded = await loadModel(path);
      expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      const actual = predict(loaded);
      actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
      loaded.dispose();
    }
  });

  it('leaves no tensors behind when a loaded model is disposed', async () => {
    const before = tf.memory().numTensors;
    (await loadModel(dir)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a missing path', async () => {
    await expectLoadError(join(root, 'nowhere'), /no such file or folder/);
  });

  it('a folder without model.json', async () => {
    rmSync(join(dir, 'model.json'));
    await expectLoadError(dir, /cannot read .*model\.json/);
  });

  it('model.json that is not JSON', async () => {
    writeFileSync(join(dir, 'model.json'), '{ "modelTopology": ');
    await expectLoadError(dir, /model\.json is not valid JSON/);
  });

  it('JSON that is not a Layers model', async () => {
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'graph-model', weightsManifest: [] }));
    await expectLoadError(dir, /no "modelTopology" object/);
  });

  it('missing weights file', async () => {
    rmSync(join(dir, 'weights.bin'));
    await expectLoadError(dir, /cannot read weights file \.\/weights\.bin/);
  });

  it('a weights path outside the model folder, without reading it', async () => {
    const file = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ['../../../../../../etc/passwd'];
    writeFileSync(file, JSON.stringify(json));
    await expectLoadError(file, /weights file \.\.\/.*etc\/passwd is outside the model's folder/);
  });

  it('weights of the wrong size', async () => {
    truncateSync(join(dir, 'weights.bin'), 100);
    await expectLoadError(join(dir, 'model.json'), /weights files hold 100 bytes but model\.json describes \d+/);
  });

  it('a topology the weights do not fit', async () => {
    const file = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: { weights: { name: string }[] }[] };
    json.weightsManifest[0]!.weights[0]!.name = 'elsewhere/kernel';
    writeFileSync(file, JSON.stringify(json));
    await expectLoadError(file, /conv1\/kernel|elsewhere\/kernel/);
  });

  it('a layer class tfjs does not know', async () => {
    const file = join(dir, 'model.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"class_name":"Conv2D"', '"class_name":"FancyConv"'));
    await expectLoadError(file, /FancyConv/);
  });
});
