import { catalogueEntry } from './model-catalogue.js';
import type { DatasetSource, PretrainedModelSpec, SuiteSpec } from './suite-schema.js';

/**
 * Where a brought model's weights come from, as the report's question and the sources list name it: "ImageNet
 * (imagenet/mobilenet-v2-0.35, Keras Applications MobileNetV2 …)" for a catalogue name, "the model at <path>" for a file.
 */
export function describeModelOrigin(path: string): string {
  const entry = catalogueEntry(path);
  return entry ? `ImageNet (${entry.name}, ${entry.origin})` : `the model at ${path}`;
}

/** A suite's brought model in words: the catalogue's description (origin, licence) or its path, the cut, the weights. */
export function describePretrainedModel(spec: PretrainedModelSpec): string {
  const entry = catalogueEntry(spec.path);
  const what = entry ? `${entry.name} (${entry.origin}; ${entry.licence})` : spec.path;
  const input = spec.inputShape ? `, input ${spec.inputShape.join('×')}` : '';
  return `${what}, cut at layer ${spec.cutLayer}${input}${spec.sha256 ? `; weights SHA-256 ${spec.sha256}` : ''}`;
}

/**
 * What a suite says of its dataset's images: their size and channels when it records them (null for tables). IDX
 * image files (idx3) are grayscale by their format, whatever their size.
 */
function dataShape(dataset: DatasetSource): { size: [number, number] | null; channels: number } | null {
  switch (dataset.kind) {
    case 'folder':
      return { size: [dataset.imageSize[0], dataset.imageSize[1]], channels: dataset.channels };
    case 'mnist':
      return { size: [28, 28], channels: 1 };
    case 'idx':
      return { size: null, channels: 1 };
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
  if (shape?.size && (shape.size[0] !== input[0] || shape.size[1] !== input[1])) {
    steps.push(`resized from ${shape.size[0]}×${shape.size[1]} to ${input[0]}×${input[1]} (bilinear)`);
  } else if (!shape?.size && spec.target.dataset.kind !== 'csv') {
    steps.push(`resized to ${input[0]}×${input[1]} (bilinear)`);
  }
  if (shape && shape.channels === 1 && input[2] === 3) {
    steps.push('grayscale repeated to the three channels of its RGB input');
  }
  const scaling = spec.pixelScaling;
  if (scaling !== '[0,1]') {
    steps.push(
      `pixels scaled to ${typeof scaling === 'string' ? scaling : `(x − mean) / std, mean ${scaling.mean.join(', ')}, std ${scaling.std.join(', ')}`}`,
    );
  }
  return steps.length > 0 ? `images fitted to the model's ${input.join('×')} input: ${steps.join('; ')}` : null;
}
