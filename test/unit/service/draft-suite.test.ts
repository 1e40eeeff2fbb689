import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusyError, UserError } from '../../../benchmarks/errors.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { estimateTrainingFlops } from '../../../benchmarks/models/flops.js';
import { saveModel } from '../../../benchmarks/models/model-io.js';
import { draftSuiteFor, estimateDraft } from '../../../benchmarks/service/draft-suite.js';
import { tempDir, writeDigitFolder } from '../datasets/image-folder-fixtures.js';

const IRIS = resolve(import.meta.dirname, '..', '..', 'fixtures', 'iris.csv');
const temp = tempDir('tb-draft-');
const digits = join(temp.dir, 'digits');
/** Other digits to pretrain on (a source holding the target's own test images is refused). */
const otherDigits = join(temp.dir, 'other-digits');
afterAll(temp.cleanup);
beforeAll(async () => {
  process.env.TRANSFER_BENCH_DATA_CACHE = join(temp.dir, 'cache');
  process.env.TRANSFER_BENCH_CACHE = join(temp.dir, 'model-cache');
  await writeDigitFolder(digits, [1, 7], 12, ['png', 'jpg']);
  await writeDigitFolder(otherDigits, [2, 3], 12, ['png']);
});

describe('the suite builder request (draftSuite)', () => {
  it('drafts a suite for a table, with absolute paths, and measures nothing when asked not to', async () => {
    const draft = await draftSuiteFor({ target: IRIS, estimate: false }, undefined);
    expect(draft.kind).toBe('csv');
    expect(draft.shape).toBe('4 numeric features, label species');
    expect(draft.classes.map((c) => [c.name, c.count, c.thumbnails.length])).toEqual([
      ['setosa', 50, 0],
      ['versicolor', 50, 0],
      ['virginica', 50, 0],
    ]);
    expect(draft.spec.target.dataset).toMatchObject({ kind: 'csv', path: IRIS });
    expect(draft.estimate).toBeNull();
  });

  it('shows an image folder with counts and PNG thumbnails, and estimates the run time', async () => {
    const draft = await draftSuiteFor({ target: digits, source: otherDigits, estimate: true }, undefined);
    expect(draft.shape).toBe('28×28 grayscale');
    expect(draft.classes.map((c) => [c.name, c.count])).toEqual([
      ['digit-1', 12],
      ['digit-7', 12],
    ]);
    for (const c of draft.classes) {
      expect(c.thumbnails).toHaveLength(4);
      expect(c.thumbnails[0]).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/);
    }
    expect(draft.spec.target.dataset).toMatchObject({ kind: 'folder', dir: digits });
    expect(Object.keys(draft.spec.approaches)).toEqual(['scratch', 'finetune', 'linear-probe', 'partial']);
    expect(draft.estimate!.seconds).toBeGreaterThan(0);
    expect(draft.estimate!.trials).toBe(draft.spec.sizes.length * 3 * 4);

    // The builder re-estimates edits from the same measurement: the unedited draft gives the draft's estimate.
    const basis = draft.estimateBasis!;
    expect(basis).toMatchObject({
      inputShape: [28, 28, 1],
      numClasses: 2,
      testCount: draft.spec.target.testPerClass * 2,
    });
    expect(basis.sourcePool).toBe(24);
    const same = await estimateDraft({ spec: draft.spec, basis });
    expect(same).toEqual(draft.estimate);
    const oneSeed = await estimateDraft({ spec: { ...draft.spec, seeds: [0] }, basis, workers: 1 });
    expect(oneSeed.trials).toBe(draft.spec.sizes.length * 4);
    expect(oneSeed.workers).toBe(1);
    // A third of the trials on one worker instead of the `parallel` ones the estimate counted (the workers, at most
    // the cores free of other work when the speed was measured); pretraining and start-up are the same.
    const training = (e: { seconds: number; pretrainSeconds: number; startupSeconds?: number }) =>
      e.seconds - e.pretrainSeconds - (e.startupSeconds ?? 0);
    expect(oneSeed.parallel).toBe(1);
    expect(training(oneSeed) / ((training(same) * (same.parallel ?? same.workers)) / 3)).toBeCloseTo(1, 6);
    expect(oneSeed.pretrainSeconds).toBeCloseTo(same.pretrainSeconds, 6);
    // each worker's start-up (its start, the data decoded) is in both ends, once per round of workers
    expect(same.startupSeconds).toBeGreaterThan(0);
  });

  it('estimates a brought model by its own architecture, not the built-in one the images would get', async () => {
    // A model.json of the built-in MLP, brought for 28×28 images (for which the suite's own architecture is the CNN).
    const mlp = buildModel('mlp', [28, 28, 1], 2, 0);
    const cnn = buildModel('cnn', [28, 28, 1], 2, 0);
    const [mlpFlops, cnnFlops] = [estimateTrainingFlops(mlp, 1), estimateTrainingFlops(cnn, 1)];
    await saveModel(mlp, join(temp.dir, 'brought'));
    mlp.dispose();
    cnn.dispose();
    const draft = await draftSuiteFor(
      { target: digits, source: join(temp.dir, 'brought', 'model.json'), estimate: true },
      undefined,
    );
    expect(draft.spec.architecture).toBe('cnn');
    expect(draft.spec.pretrainedModel).toMatchObject({
      path: join(temp.dir, 'brought', 'model.json'),
      cutLayer: 'features',
      inputShape: [28, 28, 1],
    });
    const flops = draft.estimateBasis!.flopsPerSample;
    expect(Object.keys(flops)).toEqual(['scratch', 'finetune', 'linear-probe', 'partial']);
    // Scratch and fine-tuning train all of it: the brought MLP with a new head of 2 classes, as the MLP itself.
    expect(flops.scratch!.train / mlpFlops).toBeCloseTo(1, 2);
    expect(flops.finetune!.train / mlpFlops).toBeCloseTo(1, 2);
    expect(flops.scratch!.train).toBeLessThan(cnnFlops / 2);
    expect(flops['linear-probe']!.train).toBeLessThan(flops.finetune!.train);
  });

  it('reads only under the data roots when the server is reachable from other machines', async () => {
    await expect(draftSuiteFor({ target: IRIS, estimate: false }, [temp.dir])).rejects.toThrow(UserError);
    await expect(draftSuiteFor({ target: IRIS, estimate: false }, [temp.dir])).rejects.toThrow(
      `${IRIS} is outside the data folders this server reads (${temp.dir})`,
    );
    const inside = await draftSuiteFor({ target: digits, estimate: false }, [temp.dir]);
    expect(inside.classes).toHaveLength(2);
  });
  it('defect 1: a symlinked class folder or image pointing outside --data-root is skipped and named, not followed', async () => {
    // root/: digits-linked/ holds the two digit classes (copied) plus links leading out: a class folder, and a file
    // inside a class folder; outside/ is beside the root.
    const root = join(temp.dir, 'root');
    const outside = join(temp.dir, 'outside');
    const data = join(root, 'digits-linked');
    for (const c of ['digit-1', 'digit-7']) {
      mkdirSync(join(data, c), { recursive: true });
      for (const f of readdirSync(join(digits, c))) copyFileSync(join(digits, c, f), join(data, c, f));
    }
    await writeDigitFolder(outside, [3], 5, ['png']);
    const outsideFile = join(outside, 'digit-3', readdirSync(join(outside, 'digit-3'))[0]!);
    symlinkSync(join(outside, 'digit-3'), join(data, 'digit-3'));
    symlinkSync(outsideFile, join(data, 'digit-1', 'zz-escape.png'));
    const draft = await draftSuiteFor({ target: data, estimate: false }, [root]);
    expect(draft.classes.map((c) => [c.name, c.count])).toEqual([
      ['digit-1', 12],
      ['digit-7', 12],
    ]);
    const reason = 'a symbolic link that leads outside the data folders this server reads: not followed';
    expect(draft.skipped).toEqual(
      expect.arrayContaining([
        { path: join(data, 'digit-3'), reason },
        { path: join(data, 'digit-1', 'zz-escape.png'), reason },
      ]),
    );
    // The same folder read without roots (the CLI) follows its links.
    const local = await draftSuiteFor({ target: data, estimate: false }, undefined);
    expect(local.classes.map((c) => [c.name, c.count])).toEqual([
      ['digit-1', 13],
      ['digit-3', 5],
      ['digit-7', 12],
    ]);
  });
  it('defect 6: concurrent drafts all answer (or say the server is busy), with one stable estimate', async () => {
    const first = await draftSuiteFor({ target: digits, estimate: true }, undefined);
    const tensorsBefore = tf.memory().numTensors;
    const answers = await Promise.allSettled(
      Array.from({ length: 20 }, () => draftSuiteFor({ target: digits, estimate: true }, undefined)),
    );
    const failures = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason as unknown] : []));
    for (const failure of failures) expect(failure).toBeInstanceOf(BusyError);
    const drafts = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(drafts.length).toBeGreaterThan(0);
    // Measured once per machine and backend: every draft of the same folder gives the first one's estimate.
    for (const draft of drafts) expect(draft.estimate).toEqual(first.estimate);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
