/** The suite builder's request: `transfer-bench init` for a UI, with paths checked against `--data-root`. */
import { estimateRun } from '../builder/estimate.js';
import { initSuite } from '../builder/init-suite.js';
import { thumbnail } from '../builder/thumbnails.js';
import type { DraftSuiteResponse, EstimateBasis, RunTimeEstimate, ValidRequestOf } from '../contract.js';
import { UserError } from '../errors.js';
import { looksLikeCatalogueName } from '../spec/model-catalogue.js';
import { resolveUnderRoots } from './data-roots.js';

export async function draftSuiteFor(
  request: ValidRequestOf<'draftSuite'>,
  dataRoots: readonly string[] | undefined,
): Promise<DraftSuiteResponse> {
  const checked = (path: string) => (dataRoots ? resolveUnderRoots(path, dataRoots) : path);
  const result = await initSuite({
    target: checked(request.target),
    // a catalogue name is no path: the model comes from the model cache (or its host), never from the user's files
    source:
      request.source === undefined || looksLikeCatalogueName(request.source) ? request.source : checked(request.source),
    suiteDir: null,
    measureSeconds: request.estimate ? 1 : 0,
  });
  const { target } = result;
  const classes = await Promise.all(
    target.classes.map(async (c, k) => ({
      name: c.name,
      count: c.count,
      thumbnails:
        target.kind === 'folder'
          ? (await Promise.all((target.samples[k] ?? []).map((p) => thumbnail(p)))).filter(
              (t): t is string => t !== null,
            )
          : [],
    })),
  );
  const skipped = target.kind === 'folder' ? target.skipped : [];
  return {
    spec: result.spec,
    kind: target.kind,
    classes,
    shape:
      target.kind === 'folder'
        ? `${target.imageSize[0]}×${target.imageSize[1]} ${target.channels === 1 ? 'grayscale' : 'RGB'}`
        : `${target.features.length} numeric features, label ${target.label}`,
    skipped: skipped.slice(0, 10),
    skippedCount: skipped.length,
    estimate:
      result.estimate && result.throughput
        ? {
            seconds: result.estimate.seconds,
            trials: result.estimate.trials,
            workers: result.estimate.workers,
            pretrainSeconds: result.estimate.pretrainSeconds,
            samplesPerSecond: result.throughput.samplesPerSecond,
            backend: result.throughput.backend,
          }
        : null,
    estimateBasis:
      result.throughput && result.flops && result.inputShape
        ? {
            inputShape: result.inputShape,
            numClasses: result.check.numClasses,
            testCount: result.check.testSize,
            ...(result.source && result.source.kind !== 'model'
              ? { sourcePool: result.source.classes.reduce((n, c) => n + c.count, 0) }
              : {}),
            backend: result.throughput.backend,
            samplesPerSecond: result.throughput.samplesPerSecond,
            flopsPerSecond: result.throughput.flopsPerSecond,
            flopsPerSample: result.flops,
          }
        : null,
  };
}

/**
 * The run time of an edited draft from what draftSuite measured and counted: the FLOPs of every trial's budget at the
 * measured rate (no data read, no model built, nothing trained), an upper bound as for `init`. The builder edits
 * neither the architecture nor the data's shape, so the FLOPs per sample of each approach stand.
 */
export function estimateDraft(request: ValidRequestOf<'estimateSuite'>): RunTimeEstimate {
  const basis: EstimateBasis = request.basis;
  for (const approach of Object.keys(request.spec.approaches) as (keyof typeof basis.flopsPerSample)[]) {
    if (!basis.flopsPerSample[approach]) {
      throw new UserError(`approach ${approach} was not in the drafted suite: look at the data again to estimate it`);
    }
  }
  const estimate = estimateRun(
    request.spec,
    {
      inputShape: basis.inputShape,
      numClasses: basis.numClasses,
      testCount: basis.testCount,
      ...(basis.sourcePool !== undefined ? { sourcePool: basis.sourcePool } : {}),
    },
    { backend: basis.backend, samplesPerSecond: basis.samplesPerSecond, flopsPerSecond: basis.flopsPerSecond },
    request.workers,
    basis.flopsPerSample,
  );
  return {
    seconds: estimate.seconds,
    trials: estimate.trials,
    workers: estimate.workers,
    pretrainSeconds: estimate.pretrainSeconds,
    samplesPerSecond: basis.samplesPerSecond,
    backend: basis.backend,
  };
}
