import type { ArchitectureSpec, TextArchitectureSpec } from './suite-schema.js';

/** True for the text architectures (text-cnn, text-transformer), which take token ids. */
export function isTextArchitecture(spec: ArchitectureSpec): spec is TextArchitectureSpec {
  return typeof spec !== 'string' && (spec.name === 'text-cnn' || spec.name === 'text-transformer');
}

/** The architecture's name: `cnn`, `mlp` or `mobilenet-v2`. */
export function architectureName(spec: ArchitectureSpec): string {
  return typeof spec === 'string' ? spec : spec.name;
}

/** An architecture in a few words, e.g. `mobilenet-v2 (alpha 0.35, 96×96×3 input)`. */
export function describeArchitecture(spec: ArchitectureSpec): string {
  if (typeof spec === 'string') return spec;
  if (isTextArchitecture(spec)) {
    const body =
      spec.name === 'text-cnn'
        ? `${spec.filters} filters of widths ${spec.kernelSizes.join(', ')}`
        : `${spec.layers} layers, ${spec.heads} heads, feed-forward ${spec.ffDim}`;
    return `${spec.name} (embedding ${spec.vocabularySize}×${spec.embeddingDim}, ${body})`;
  }
  return `${spec.name} (alpha ${spec.alpha}, ${spec.inputSize}×${spec.inputSize}×3 input)`;
}

/** Name of the layer whose output is the feature vector of the built-in cnn and mlp. */
export const FEATURES_LAYER = 'features';
/** Name of the layer whose output is MobileNetV2's feature vector (Keras' name for `pooling='avg'`). */
export const MOBILENET_FEATURES_LAYER = 'global_average_pooling2d';

/** The layer a built-in architecture's backbone ends at: its feature vector, where the head goes. */
export function featuresLayer(arch: ArchitectureSpec): string {
  return typeof arch === 'string' || isTextArchitecture(arch) ? FEATURES_LAYER : MOBILENET_FEATURES_LAYER;
}
