/**
 * The kernels do not change the results: reduced copies of the default suite (mnist-split) and of mobilenet-split
 * (test/fixtures/kernel-parity/) give the accuracies and losses recorded from main's code before the wasm training
 * kernels of issue 19 (batch normalisation, ReLU6 gradient, depthwise and 1×1 convolution gradients) existed:
 * test/fixtures/kernel-parity/reference.json, written by the command in test/fixtures/README.md.
 *
 * The CNN of mnist-split runs none of the new kernels: its trials must be bit for bit the same. MobileNetV2 trains
 * through them, and their sums round differently from the stock kernels'. One epoch of pretraining (about 470 Adam
 * steps) carries that on into a measurably different source model: the first run after the kernels gave test
 * accuracies 30.6/30.8/32.6/20.0 % (finetune, linear probe, partial, scratch) against the reference's
 * 32.2/34.0/35.0/20.0 %, and test losses within 6, 20, 1.4 and 0.03 %. The same trials from the reference's own
 * source model (its cached copy) gave 34.2/34.0/35.0/20.0 % with test losses within 0.25 %: the trials themselves
 * agree to float rounding, the source model is what moves. So the MobileNet case is not compared with the
 * pre-kernel reference (no copy of that source model was kept) but pinned from a source model of its own:
 *
 * mobilenet-split-reduced run twice at one commit (562c4cb + the frozen branch, wasm, one worker), each from an empty
 * model cache, repeated whole: the same source model bytes, the same trials and evaluation records bit for bit
 * (docs/performance.md, "Do MobileNet runs repeat?"). mobilenet-source/ is that source model, and
 * mobilenet-split-pinned.json runs the reduced suite's transfer trials from it (no pretraining: the test's CPU stays
 * small; scratch is left out, finetune trains through the same kernels). Its trials were the same bit for bit as the
 * reduced suite's from its own pretraining, and pinned-reference.json records them. A kernel change that only
 * reorders sums stays within the tolerance below; one that changes what is computed does not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, query, sandbox } from './cli-helpers.js';

interface Row {
  approach: string;
  train_size: number;
  seed: number;
  status: string;
  test_accuracy: number;
  test_loss: number;
}

const FIXTURES = join(ROOT, 'test', 'fixtures', 'kernel-parity');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Record<string, Row[]>;
const pinned = JSON.parse(readFileSync(join(FIXTURES, 'pinned-reference.json'), 'utf8')) as Record<string, Row[]>;

/** Test accuracy within 2 of the 500 test examples, test loss within 0.5 % (float rounding moved it 0.25 %). */
function expectClose(rows: Row[], expected: Row[]): void {
  expect(rows.map(({ approach, train_size, seed, status }) => ({ approach, train_size, seed, status }))).toEqual(
    expected.map(({ approach, train_size, seed, status }) => ({ approach, train_size, seed, status })),
  );
  rows.forEach((row, i) => {
    const want = expected[i]!;
    expect(Math.abs(row.test_accuracy - want.test_accuracy), `${row.approach} test accuracy`).toBeLessThan(2.5 / 500);
    expect(Math.abs(row.test_loss - want.test_loss) / want.test_loss, `${row.approach} test loss`).toBeLessThan(0.005);
  });
}

function runReduced(suite: string): Row[] {
  const box = sandbox();
  const run = cli(box, ['run', join(FIXTURES, `${suite}.json`), '--backend', 'wasm', '--workers', '1']);
  expect(run.status, run.stderr).toBe(0);
  return query<Row>(
    box.db,
    'SELECT approach, train_size, seed, status, test_accuracy, test_loss FROM trials ORDER BY approach, train_size, seed',
  );
}

describe('results before and after the wasm training kernels', () => {
  it('mnist-split (reduced): the same trials bit for bit', () => {
    expect(runReduced('mnist-split-reduced')).toEqual(reference['mnist-split']);
  });

  it('mobilenet-split (reduced, from the pinned source model): the recorded trials within float rounding', () => {
    expectClose(runReduced('mobilenet-split-pinned'), pinned['mobilenet-split-pinned']!);
  });
});
