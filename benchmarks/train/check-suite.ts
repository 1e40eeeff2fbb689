import type { LayersModel } from '@tensorflow/tfjs-layers';
import { countPerClass } from '../datasets/labelled-images.js';
import { trainingSubset } from '../datasets/training-subset.js';
import { UserError } from '../errors.js';
import { hasNamedSources, specForSource, suiteSources } from '../spec/sources.js';
import { architectureInputShape, buildModel } from '../models/architectures.js';
import { engineModelPath } from '../models/model-source.js';
import { buildTrialModel } from '../models/transfer-model.js';
import { architectureName, featuresLayer, isTextArchitecture } from '../spec/describe-architecture.js';
import { checkAdaptable, imageInputShape, type ImageShape } from './input-adapter.js';
import type { CheckJob, CheckSummary } from './jobs.js';
import { checkSourceOverlap } from './source-overlap.js';
import { cachedModel, cachedTask } from './task-cache.js';
import { loadSourceTask } from './source-task.js';
import { checkTextSuite } from './check-text-suite.js';

/**
 * Everything that can be wrong with a suite's inputs, found before any trial is stored or trained. A suite with
 * several sources is checked as each of its single-source views (spec/sources.ts), and without any source (its
 * scratch trials); an error names the source.
 */
export async function checkSuite(job: CheckJob): Promise<CheckSummary> {
  if (!hasNamedSources(job.spec)) return checkOneSource(job);
  const summary = await checkOneSource({ ...job, spec: specForSource(job.spec, undefined), base: null });
  const notices = new Set(summary.notices);
  for (const source of suiteSources(job.spec)) {
    const spec = specForSource(job.spec, source.name!);
    const base = source.pretrainedModel
      ? { path: engineModelPath(source.pretrainedModel.path, job.baseDir), cutLayer: source.pretrainedModel.cutLayer }
      : null;
    try {
      (await checkOneSource({ ...job, spec, base })).notices.forEach((n) => notices.add(n));
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`source "${source.name}": ${error.message}`);
      throw error;
    }
  }
  return { ...summary, notices: [...notices] };
}

async function checkOneSource(job: CheckJob): Promise<CheckSummary> {
  const { spec, baseDir } = job;
  const target = await cachedTask(spec.target.dataset, spec.target.testPerClass, baseDir);
  const numClasses = target.pool.classNames.length;
  countPerClass(target.pool.labels, numClasses).forEach((count, k) => {
    if (count < 2) {
      throw new UserError(
        `${target.classLabel(k)} has ${count} example${count === 1 ? '' : 's'} left for training after ${spec.target.testPerClass} are held out for testing; every class needs at least 2 (one to train, one to validate) even at the smallest size, ${spec.sizes[0]}: add examples to it, or lower testPerClass`,
      );
    }
  });
  for (const size of spec.sizes) {
    trainingSubset(target.pool.labels, numClasses, size, spec.seeds[0]!, spec.validationFraction);
  }
  const shape: ImageShape = [target.pool.height, target.pool.width, target.pool.channels];
  checkTextSuite(spec, target, job.base !== null);
  const imageArchitecture = typeof spec.architecture !== 'string' && !isTextArchitecture(spec.architecture);
  if (target.standardise && imageArchitecture && !job.base) {
    throw new UserError(
      `the target data is a table (${target.pool.channels} feature columns) but ${architectureName(spec.architecture)} takes images: use the mlp architecture for tables`,
    );
  }
  const overlap: string[] = [];
  if (spec.pretrain) {
    const source = await loadSourceTask(spec, baseDir);
    overlap.push(...checkSourceOverlap(target, source));
    const sourceShape: ImageShape = [source.pool.height, source.pool.width, source.pool.channels];
    if ((source.vocabulary !== undefined) !== (target.vocabulary !== undefined)) {
      throw new UserError(
        `the source data is ${source.vocabulary ? 'a text table' : 'not text'} but the target data is ${target.vocabulary ? 'a text table' : 'not text'}: pretrain on the same kind of data`,
      );
    }
    if (source.vocabulary && sourceShape.join('×') !== shape.join('×')) {
      throw new UserError(
        `the source text table has sequenceLength ${sourceShape[1]} but the target has ${shape[1]}: give both the same`,
      );
    }
    if (source.standardise !== target.standardise) {
      throw new UserError(
        `the source data is ${source.standardise ? 'a table' : 'images'} but the target data is ${target.standardise ? 'a table' : 'images'}: pretrain on the same kind of data`,
      );
    }
    if (imageArchitecture) {
      // both are fitted to the architecture's input
      const adapter = { shape: architectureInputShape(spec.architecture, sourceShape), scaling: spec.pixelScaling };
      const name = architectureName(spec.architecture);
      checkAdaptable(sourceShape, adapter, `the ${name} architecture (source data)`);
      checkAdaptable(shape, adapter, `the ${name} architecture (target data)`);
    } else if (sourceShape.join('×') !== shape.join('×')) {
      if (target.standardise) {
        throw new UserError(
          `the source table has ${source.pool.channels} feature columns but the target table has ${target.pool.channels}: pretraining needs the same feature columns (name them with "features")`,
        );
      }
      throw new UserError(
        `source images are ${sourceShape.join('×')} but target images are ${shape.join('×')}: pretraining and target data must have the same image shape`,
      );
    }
  } else if (!job.base && imageArchitecture) {
    const adapter = { shape: architectureInputShape(spec.architecture, shape), scaling: spec.pixelScaling };
    checkAdaptable(shape, adapter, `the ${architectureName(spec.architecture)} architecture`);
  }
  if (job.base) {
    const model = await cachedModel(job.base.path);
    const names = model.layers.map((l) => l.name);
    if (!names.includes(job.base.cutLayer)) {
      throw new UserError(
        `pretrained model ${job.base.path} has no layer "${job.base.cutLayer}" to cut at (layers: ${names.join(', ')})`,
      );
    }
    const what = `pretrained model ${job.base.path}`;
    const inputShape = model.inputs[0]?.shape.slice(1) ?? [];
    if (target.standardise) {
      // a table is given to the model as it is: its feature columns must be what the model takes
      if (inputShape.join('×') !== shape.join('×')) {
        throw new UserError(
          `${what} takes inputs of shape ${inputShape.join('×')} but the target data is a table of ${target.pool.channels} feature columns (${shape.join('×')}): a table cannot be fitted to an image model`,
        );
      }
      checkTrialModels(job, model, shape, numClasses);
    } else {
      const imageShape = imageInputShape(model.inputs[0]?.shape ?? [], what);
      checkAdaptable(shape, { shape: imageShape, scaling: spec.pixelScaling }, what);
      checkTrialModels(job, model, imageShape, numClasses);
    }
  } else if (spec.pretrain && spec.approaches.partial?.trainFrom !== undefined) {
    // the source model does not exist yet: check partial's trainFrom against the architecture built here
    const inputShape = architectureInputShape(spec.architecture, shape);
    const model = buildModel(spec.architecture, inputShape, 2, 0);
    try {
      const cutLayer = featuresLayer(spec.architecture);
      checkTrialModels({ ...job, base: { path: 'the pretrained model', cutLayer } }, model, inputShape, numClasses);
    } finally {
      model.dispose();
    }
  }
  return {
    targetDescription: target.description,
    poolSize: target.pool.count,
    testSize: target.test.count,
    numClasses,
    notices: [...target.notices, ...overlap],
  };
}

/**
 * Builds the models that can fail on the suite's settings: scratch re-draws a brought model's weights (an initializer
 * that cannot be re-drawn fails here, not per trial) and partial's trainableBlocks or trainFrom must name layers of
 * the backbone.
 */
function checkTrialModels(job: CheckJob, base: LayersModel, inputShape: ImageShape, numClasses: number): void {
  const { spec } = job;
  const cutLayer = job.base!.cutLayer;
  const common = { arch: spec.architecture, inputShape, numClasses, seed: 0, base, cutLayer };
  if (spec.approaches.scratch && spec.pretrainedModel) buildTrialModel({ ...common, approach: 'scratch' }).dispose();
  const partial = spec.approaches.partial;
  if (partial) {
    buildTrialModel({
      ...common,
      approach: 'partial',
      trainableBlocks: partial.trainableBlocks,
      trainFrom: partial.trainFrom,
    }).dispose();
  }
}
