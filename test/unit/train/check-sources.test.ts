import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { UserError } from '../../../benchmarks/errors.js';
import { parseSuite } from '../../../benchmarks/spec/load-suite.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';

describe('checking a suite with several sources', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('checks every source and names the one that is wrong', async () => {
    const { spec, baseDir } = parseSuite(
      JSON.stringify({
        name: 'two',
        architecture: 'mlp',
        sources: [
          { name: 'near', pretrain: { dataset: { kind: 'mnist', classes: [0, 1] }, epochs: 1 } },
          { name: 'missing', pretrainedModel: { path: 'no-such-model/model.json', cutLayer: 'x' } },
        ],
        target: { dataset: { kind: 'mnist', classes: [5, 6] }, testPerClass: 10 },
        sizes: [10],
        seeds: [0],
        approaches: { scratch: { learningRate: 0.001, epochs: 1 }, finetune: { learningRate: 0.001, epochs: 1 } },
      }),
      'suite file two.json',
      '/tmp',
    );
    const error = await checkSuite({ spec, baseDir, base: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^source "missing": /);
    expect((error as Error).message).toContain('no-such-model');
  });
});
