import { catalogueEntry } from './model-catalogue.js';
import type { DatasetSource, PretrainedModelSpec, SuiteSpec } from './suite-schema.js';

/** A suite's brought model in words: the catalogue's description (origin, licence) or its path, the cut, the weights. */
export function describePretrainedModel(spec: PretrainedModelSpec): string {
  const entry = catalogueEntry(spec.path);
  const what = entry ? `${entry.name} (${entry.origin}; ${entry.licence})` : spec.path;
  const input = spec.inputShape ? `, input ${spec.inputShape.join('×')}` : '';
  return `${what}, cut at layer ${spec.cutLayer}${input}${spec.sha256 ? `; weights SHA-256 ${spec.sha256}` : ''}`;
}

/** The shape a dataset's images are decoded to, when the suite says it (null for tables). */
function dataShape(dataset: DatasetSource): [number, number, number] | null {
  switch (dataset.kind) {
    case 'folder':
      return [dataset.imageSize[0], dataset.imageSize[1], dataset.channels];
    case 'mnist':
      return [28, 28, 1];
    default:
      return null;
  }
}

/**
 * How the target images are fitted to a brought model's input, in words, or null when nothing is adapted (or the
 * model's input is not recorded): resized, grayscale repeated to RGB, pixels scaled.
 */
export function describeInputFit(spec: SuiteSpec): string | null {
  const input = spec.pretrainedModel?.inputShape;
  if (!input) return null;
  const shape = dataShape(spec.target.dataset);
  const steps: string[] = [];
  if (shape && (shape[0] !== input[0] || shape[1] !== input[1])) {
    steps.push(`resized from ${shape[0]}×${shape[1]} to ${input[0]}×${input[1]} (bilinear)`);
  } else if (!shape && spec.target.dataset.kind !== 'csv') steps.push(`resized to ${input[0]}×${input[1]} (bilinear)`);
  if (shape && shape[2] === 1 && input[2] === 3)
    steps.push('grayscale repeated to the three channels of its RGB input');
  const scaling = spec.pixelScaling;
  if (scaling !== '[0,1]') {
    steps.push(
      `pixels scaled to ${typeof scaling === 'string' ? scaling : `(x − mean) / std, mean ${scaling.mean.join(', ')}, std ${scaling.std.join(', ')}`}`,
    );
  }
  return steps.length > 0 ? `images fitted to the model's ${input.join('×')} input: ${steps.join('; ')}` : null;
}
