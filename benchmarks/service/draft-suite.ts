/** The suite builder's request: `transfer-bench init` for a UI, with paths checked against `--data-root`. */
import { initSuite } from '../builder/init-suite.js';
import { thumbnail } from '../builder/thumbnails.js';
import type { DraftSuiteResponse, ValidRequestOf } from '../contract.js';
import { resolveUnderRoots } from './data-roots.js';

export async function draftSuiteFor(
  request: ValidRequestOf<'draftSuite'>,
  dataRoots: readonly string[] | undefined,
): Promise<DraftSuiteResponse> {
  const checked = (path: string) => (dataRoots ? resolveUnderRoots(path, dataRoots) : path);
  const result = await initSuite({
    target: checked(request.target),
    source: request.source === undefined ? undefined : checked(request.source),
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
            samplesPerSecond: result.throughput.samplesPerSecond,
            backend: result.throughput.backend,
          }
        : null,
  };
}
