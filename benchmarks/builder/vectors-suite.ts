/**
 * What `transfer-bench vectors <suite.json> <name|file.vec>` does: makes a text suite start from pretrained word vectors. Builds
 * the suite's text architecture with its embedding rows set from the vectors for the target's vocabulary (trained on
 * the target's training pool, as a run would), saves it and the vocabulary beside the suite, and rewrites the suite to
 * bring them (`pretrainedModel`, the dataset's `vocabulary`), with every approach: finetune trains the vectors on,
 * partial keeps them frozen and trains the rest, linear-probe trains the head.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { selectBackend } from '../backend/select-backend.js';
import { loadTask } from '../datasets/load-dataset.js';
import { UserError } from '../errors.js';
import { saveModel } from '../models/model-io.js';
import { downloadVectors, modelFromVectors, readVectors } from '../models/text-vectors.js';

export { VECTOR_CATALOGUE } from '../models/text-vectors.js';
import { isTextArchitecture } from '../spec/describe-architecture.js';
import { parseSuite } from '../spec/load-suite.js';

/** Rewrites the text suite `suitePath` to start from the word vectors `vectorsArg`; returns lines for the user. */
export async function suiteWithVectors(
  suitePath: string,
  vectorsArg: string,
  options: { out?: string | undefined },
): Promise<string[]> {
  const file = resolve(suitePath);
  const baseDir = dirname(file);
  const { spec } = parseSuite(readFileSync(file, 'utf8'), `suite file ${file}`, baseDir);
  const arch = spec.architecture;
  const dataset = spec.target.dataset;
  if (!isTextArchitecture(arch) || dataset.kind !== 'text') {
    throw new UserError(`${file} is not a text suite (a "text" dataset and a text architecture)`);
  }
  if (spec.pretrain || spec.pretrainedModel || spec.sources) {
    throw new UserError(`${file} already has a source; word vectors go into a suite without one`);
  }
  const path = /\.vec(\.gz)?$/i.test(vectorsArg) ? resolve(vectorsArg) : await downloadVectors(vectorsArg);
  await selectBackend('cpu');
  const task = await loadTask(dataset, spec.target.testPerClass, { baseDir });
  const vocabulary = task.vocabulary!;
  const vectors = await readVectors(path, new Set(vocabulary));
  const sized = { ...arch, embeddingDim: vectors.dim };
  const { model, found } = modelFromVectors(
    sized,
    [1, dataset.sequenceLength, 1],
    task.pool.classNames.length,
    vocabulary,
    vectors,
  );
  const out = resolve(options.out ?? join(baseDir, `${spec.name}-vectors`));
  try {
    await saveModel(model, out);
  } finally {
    model.dispose();
  }
  writeFileSync(join(out, 'vocab.txt'), vocabulary.join('\n') + '\n');
  const rel = (p: string) => relative(baseDir, p) || '.';
  const scratch = spec.approaches.scratch ?? Object.values(spec.approaches).find((a) => a !== undefined)!;
  const probeRates = [scratch.learningRate].flat().map((r) => Math.min(10, r * 10));
  const firstAfterEmbedding = sized.name === 'text-cnn' ? `conv_k${sized.kernelSizes[0]}` : 'positions';
  const rewritten = {
    ...spec,
    architecture: sized,
    target: { ...spec.target, dataset: { ...dataset, vocabulary: rel(join(out, 'vocab.txt')) } },
    pretrainedModel: { path: rel(join(out, 'model.json')), cutLayer: 'features' },
    approaches: {
      scratch,
      finetune: spec.approaches.finetune ?? scratch,
      'linear-probe': spec.approaches['linear-probe'] ?? {
        ...scratch,
        learningRate: probeRates.length === 1 ? probeRates[0]! : probeRates,
      },
      partial: spec.approaches.partial ?? { ...scratch, trainFrom: firstAfterEmbedding },
    },
  };
  writeFileSync(file, JSON.stringify(rewritten, null, 2) + '\n');
  return [
    `word vectors ${path}: ${vectors.dim} dimensions, ${found} of the ${vocabulary.length} vocabulary words found`,
    `wrote ${out} (model.json, vocab.txt) and ${file}: finetune trains the vectors, partial keeps them frozen`,
  ];
}
