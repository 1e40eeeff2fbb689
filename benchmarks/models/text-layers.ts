/**
 * The layers a Transformer encoder needs that tfjs-layers 4.22 does not have: learned position embeddings,
 * multi-head self-attention that ignores padding, and a mean over the words that are not padding. Written with
 * tfjs-core ops only (matMul, softmax, transpose, …), so every backend runs them and their gradients come from the
 * ops' own; registered for serialisation, so models holding them save, load and copy like any other.
 *
 * Token id 0 is padding (datasets/text-tokenizer.ts): the attention and the mean take the token ids as a second input
 * and leave padded positions out.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;
type ConfigDict = tf.serialization.ConfigDict;

/** A padded position's logit: far below any real one, so softmax gives it zero weight. */
const MASKED_LOGIT = -1e9;

function firstShape(inputShape: Shape | Shape[]): Shape {
  return Array.isArray(inputShape[0]) ? (inputShape[0] as Shape) : (inputShape as Shape);
}

function glorot(seed: number): ReturnType<typeof tfl.initializers.glorotUniform> {
  return tfl.initializers.glorotUniform({ seed });
}

/** Adds a learned vector per position to a sequence [batch, length, dim]. */
export class PositionEmbedding extends tfl.layers.Layer {
  static readonly className = 'TransferBenchPositionEmbedding';
  private readonly seed: number;
  private positions: tfl.LayerVariable | null = null;

  constructor(args: { seed: number; name?: string; trainable?: boolean }) {
    super(args);
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [, length, dim] = firstShape(inputShape);
    if (!length || !dim) throw new Error(`PositionEmbedding needs a fixed [length, dim], got [${length}, ${dim}]`);
    this.positions = this.addWeight(
      'positions',
      [length, dim],
      'float32',
      tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed }),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.add(x, this.positions!.read());
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

/** [batch, length] → [batch, 1, 1, length]: 0 for a word, MASKED_LOGIT for padding (token id 0). */
function paddingBias(ids: tf.Tensor): tf.Tensor {
  const [batch, length] = ids.shape as [number, number];
  const padding = tf.cast(tf.lessEqual(ids, 0), 'float32');
  return tf.reshape(tf.mul(padding, MASKED_LOGIT), [batch, 1, 1, length]);
}

/**
 * Multi-head self-attention (Vaswani et al., 2017) over a sequence [batch, length, dim], with the token ids
 * [batch, length] as second input: no position attends to padding. Four dense projections (query, key, value,
 * output), each dim × dim with a bias; `heads` must divide `dim`.
 */
export class MultiHeadSelfAttention extends tfl.layers.Layer {
  static readonly className = 'TransferBenchMultiHeadSelfAttention';
  readonly heads: number;
  private readonly seed: number;
  private kernels: tfl.LayerVariable[] = [];
  private biases: tfl.LayerVariable[] = [];

  constructor(args: { heads: number; seed: number; name?: string; trainable?: boolean }) {
    super(args);
    this.heads = args.heads;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = firstShape(inputShape)[2];
    if (!dim) throw new Error('MultiHeadSelfAttention needs a fixed last dimension');
    if (dim % this.heads !== 0) {
      throw new Error(`MultiHeadSelfAttention: ${this.heads} heads do not divide the dimension ${dim}`);
    }
    this.kernels = ['query', 'key', 'value', 'output'].map((role, i) =>
      this.addWeight(`${role}_kernel`, [dim, dim], 'float32', glorot((this.seed + i * 7919) >>> 0)),
    );
    this.biases = ['query', 'key', 'value', 'output'].map((role) =>
      this.addWeight(`${role}_bias`, [dim], 'float32', tfl.initializers.zeros()),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error('MultiHeadSelfAttention takes [sequence, token ids]');
      }
      const [x, ids] = inputs as [tf.Tensor3D, tf.Tensor];
      const [batch, length, dim] = x.shape;
      const depth = dim / this.heads;
      const flat = tf.reshape(x, [batch * length, dim]);
      const project = (i: number): tf.Tensor =>
        tf.add(tf.matMul(flat, this.kernels[i]!.read() as tf.Tensor2D), this.biases[i]!.read());
      // [batch, heads, length, depth]
      const split = (t: tf.Tensor): tf.Tensor4D =>
        tf.transpose(tf.reshape(t, [batch, length, this.heads, depth]), [0, 2, 1, 3]);
      const q = split(project(0));
      const k = split(project(1));
      const v = split(project(2));
      const logits = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(depth)), paddingBias(ids));
      const weights = tf.softmax(logits);
      const attended = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [batch * length, dim]);
      const out = tf.add(tf.matMul(attended, this.kernels[3]!.read() as tf.Tensor2D), this.biases[3]!.read());
      return tf.reshape(out, [batch, length, dim]);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), heads: this.heads, seed: this.seed };
  }
}

/** Mean of a sequence [batch, length, dim] over the positions whose token id (second input) is not padding. */
export class MaskedMeanPooling extends tfl.layers.Layer {
  static readonly className = 'TransferBenchMaskedMeanPooling';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2)
        throw new Error('MaskedMeanPooling takes [sequence, token ids]');
      const [x, ids] = inputs as [tf.Tensor3D, tf.Tensor2D];
      const mask = tf.expandDims(tf.cast(tf.greater(ids, 0), 'float32'), 2);
      const count = tf.maximum(tf.sum(mask, 1), 1);
      return tf.div(tf.sum(tf.mul(x, mask), 1), count);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [batch, , dim] = firstShape(inputShape);
    return [batch ?? null, dim ?? null];
  }
}

/**
 * Layer normalisation over the last axis (Ba et al., 2016), with a learned scale and shift. tfjs-layers has one, but
 * it normalises through `batchNorm`, whose gradient in tfjs-core 4.22 undoes a `tile` with one slice and one add per
 * repetition: thousands of kernel calls per training step on wasm (a text-transformer step took 45 times a
 * text-cnn's). Written with broadcasting ops, its gradient is a few reductions.
 */
export class LayerNorm extends tfl.layers.Layer {
  static readonly className = 'TransferBenchLayerNorm';
  readonly epsilon: number;
  private gamma: tfl.LayerVariable | null = null;
  private beta: tfl.LayerVariable | null = null;

  constructor(args: { epsilon?: number; name?: string; trainable?: boolean } = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-3;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = firstShape(inputShape);
    const dim = shape[shape.length - 1];
    if (!dim) throw new Error('LayerNorm needs a fixed last dimension');
    this.gamma = this.addWeight('gamma', [dim], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [dim], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const axis = x.rank - 1;
      const mean = tf.mean(x, axis, true);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), axis, true);
      const normalised = tf.mul(centred, tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalised, this.gamma!.read()), this.beta!.read());
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(LayerNorm);
tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(MultiHeadSelfAttention);
tf.serialization.registerClass(MaskedMeanPooling);

/** Forward FLOPs of one sample through a text layer of ours, or null for another layer (flops.ts counts those). */
export function textLayerFlops(className: string, inputShape: Shape): number | null {
  const [, length, dim] = inputShape.map((d) => d ?? 1) as [number, number, number];
  switch (className) {
    case MultiHeadSelfAttention.className:
      // four dim×dim projections at every position, then scores and the weighted sum: length² × dim each
      return 4 * 2 * length * dim * dim + 2 * 2 * length * length * dim;
    case PositionEmbedding.className:
      return length * dim;
    case LayerNorm.className:
      // mean, centre, variance, normalise, scale and shift: about 8 operations per value
      return 8 * length * dim;
    default:
      return null;
  }
}
