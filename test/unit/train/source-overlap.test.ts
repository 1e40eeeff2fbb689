import { cpSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { UserError } from '../../../benchmarks/errors.js';
import type { SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { suiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';
import { tempDir, writeDigitFolder } from '../datasets/image-folder-fixtures.js';

const temp = tempDir('tb-overlap-');
const target = join(temp.dir, 'target');
afterAll(temp.cleanup);
beforeAll(async () => {
  process.env.TRANSFER_BENCH_DATA_CACHE = join(temp.dir, 'cache');
  await selectBackend('wasm');
  await writeDigitFolder(target, [1, 7], 12, ['png']);
});

/** A suite pretraining on `source` and fine-tuning on the target folder (3 test images per class held out). */
function spec(source: string): SuiteSpec {
  const folder = (dir: string) => ({ kind: 'folder', dir, imageSize: [28, 28], channels: 1 });
  return suiteSpec.parse({
    name: 'overlap',
    architecture: 'mlp',
    pretrain: { dataset: folder(source), epochs: 1, testPerClass: 2 },
    target: { dataset: folder(target), testPerClass: 3 },
    sizes: [10],
    seeds: [0],
    approaches: { scratch: { learningRate: 0.01, epochs: 1 }, finetune: { learningRate: 0.01, epochs: 1 } },
    crossValidateBelow: 0,
  });
}

describe('a source that shares classes or images with the target (issue 16, minor)', () => {
  it('refuses a source whose training data holds the target test images (same files), by content', async () => {
    const copy = join(temp.dir, 'copy');
    cpSync(target, copy, { recursive: true });
    const check = checkSuite({ spec: spec(copy), baseDir: '/', base: null });
    await expect(check).rejects.toThrow(UserError);
    await expect(checkSuite({ spec: spec(copy), baseDir: '/', base: null })).rejects.toThrow(
      /^\d+ of the target's 6 test images are also in the source's training data \(same content; the first is of class "digit-\d"\): pretraining on them leaks the test set/,
    );
  });

  it('warns about shared class names when the images differ, and says nothing about unrelated classes', async () => {
    const other = join(temp.dir, 'other');
    await writeDigitFolder(other, [2, 3], 12, ['png']);
    const unrelated = await checkSuite({ spec: spec(other), baseDir: '/', base: null });
    expect(unrelated.notices.filter((n) => n.startsWith('warning:'))).toEqual([]);
    const renamed = join(temp.dir, 'renamed');
    mkdirSync(renamed);
    cpSync(other, renamed, { recursive: true });
    renameSync(join(renamed, 'digit-2'), join(renamed, 'digit-1'));
    const shared = await checkSuite({ spec: spec(renamed), baseDir: '/', base: null });
    expect(shared.notices.filter((n) => n.startsWith('warning:'))).toEqual([
      expect.stringMatching(/^warning: the source and the target share 1 class \(digit-1\): the pretrained model/),
    ]);
  });
});
