/**
 * The built-in text classifiers, on token ids. Both take the ids as the data pipeline gives every example, a
 * [1, length, 1] "image" (datasets/text-dataset.ts), reshape them to [length] in the layer `tokens`, and end in a
 * dense layer `features` under the new head, like cnn and mlp, so the four approaches apply unchanged: `linear-probe`
 * trains the head on `features`, `partial` trains the top blocks (weighted layers) or those from a named layer on.
 *
 * - `text-cnn` (Kim, 2014): embedding → one 1-D convolution per kernel width (`conv_k3`, …, relu, same padding) →
 *   max over time (`pool_k3`, …) → concatenated → `features` (dense, relu) → head.
 * - `text-transformer`: embedding + learned positions (`positions`) → `layers` post-norm encoder blocks `encoder_1`,
 *   … (`_attention` multi-head self-attention that ignores padding, `_add1`, `_norm1`, `_ff1` relu, `_ff2`, `_add2`,
 *   `_norm2`) → mean over the words (`pool`) → `features` (dense, relu) → head.
 *
 * All initial weights are seeded from (seed, layer name), as for the image architectures.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '../errors.js';
import { FEATURES_LAYER } from '../spec/describe-architecture.js';
import type { TextArchitectureSpec } from '../spec/suite-schema.js';
import { layerSeed } from './layer-seed.js';
import { LayerNorm, MaskedMeanPooling, MultiHeadSelfAttention, PositionEmbedding } from './text-layers.js';

type Symbolic = tfl.SymbolicTensor;

function glorot(seed: number, name: string) {
  return { name, kernelInitializer: tfl.initializers.glorotUniform({ seed: layerSeed(seed, name) }) };
}

/** The trunk of a text architecture, from the input to `features`; the caller adds the head. */
export function buildTextBackbone(
  arch: TextArchitectureSpec,
  inputShape: [number, number, number],
  seed: number,
): { input: Symbolic; features: Symbolic } {
  const [h, length, c] = inputShape;
  if (h !== 1 || c !== 1) {
    throw new UserError(
      `${arch.name} takes token ids (a text dataset, shape 1×length×1), not data of shape ${inputShape.join('×')}: use it with a "text" dataset`,
    );
  }
  const input = tfl.input({ shape: inputShape, name: 'input' });
  const tokens = tfl.layers.reshape({ targetShape: [length], name: 'tokens' }).apply(input) as Symbolic;
  let x = tfl.layers
    .embedding({
      inputDim: arch.vocabularySize,
      outputDim: arch.embeddingDim,
      inputLength: length,
      name: 'embedding',
      embeddingsInitializer: tfl.initializers.randomUniform({
        minval: -0.05,
        maxval: 0.05,
        seed: layerSeed(seed, 'embedding'),
      }),
    })
    .apply(tokens) as Symbolic;
  let pooled: Symbolic;
  if (arch.name === 'text-cnn') {
    const branches = arch.kernelSizes.map((k, i) => {
      const name = `conv_k${k}${arch.kernelSizes.indexOf(k) === i ? '' : `_${i}`}`;
      const conv = tfl.layers
        .conv1d({ filters: arch.filters, kernelSize: k, padding: 'same', activation: 'relu', ...glorot(seed, name) })
        .apply(x) as Symbolic;
      return tfl.layers.globalMaxPooling1d({ name: name.replace('conv', 'pool') }).apply(conv) as Symbolic;
    });
    pooled =
      branches.length === 1 ? branches[0]! : (tfl.layers.concatenate({ name: 'concat' }).apply(branches) as Symbolic);
  } else {
    if (arch.embeddingDim % arch.heads !== 0) {
      throw new UserError(
        `text-transformer: embeddingDim ${arch.embeddingDim} must divide by heads ${arch.heads}; change one of them`,
      );
    }
    x = new PositionEmbedding({ seed: layerSeed(seed, 'positions'), name: 'positions' }).apply(x) as Symbolic;
    for (let block = 1; block <= arch.layers; block++) {
      const name = (part: string) => `encoder_${block}_${part}`;
      const attention = new MultiHeadSelfAttention({
        heads: arch.heads,
        seed: layerSeed(seed, name('attention')),
        name: name('attention'),
      }).apply([x, tokens]) as Symbolic;
      x = tfl.layers.add({ name: name('add1') }).apply([x, attention]) as Symbolic;
      x = new LayerNorm({ name: name('norm1') }).apply(x) as Symbolic;
      let ff = tfl.layers
        .dense({ units: arch.ffDim, activation: 'relu', ...glorot(seed, name('ff1')) })
        .apply(x) as Symbolic;
      ff = tfl.layers.dense({ units: arch.embeddingDim, ...glorot(seed, name('ff2')) }).apply(ff) as Symbolic;
      x = tfl.layers.add({ name: name('add2') }).apply([x, ff]) as Symbolic;
      x = new LayerNorm({ name: name('norm2') }).apply(x) as Symbolic;
    }
    pooled = new MaskedMeanPooling({ name: 'pool' }).apply([x, tokens]) as Symbolic;
  }
  const units = arch.name === 'text-cnn' ? arch.filters : arch.embeddingDim;
  const features = tfl.layers
    .dense({ units, activation: 'relu', ...glorot(seed, FEATURES_LAYER) })
    .apply(pooled) as Symbolic;
  return { input, features };
}
