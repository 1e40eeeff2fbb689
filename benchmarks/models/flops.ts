import type * as tf from '@tensorflow/tfjs-layers';
import { textLayerFlops } from './text-layers.js';

/** Forward-pass cost of one layer for one sample. */
export interface LayerFlops {
  name: string;
  className: string;
  /** Floating-point operations (a multiply-add counts 2) of the layer's forward pass for one sample. */
  forward: number;
  /** True when the layer has weights that train. */
  trainable: boolean;
}

type Layer = tf.LayersModel['layers'][number];

function product(values: readonly (number | null | undefined)[]): number {
  return values.reduce<number>((p, v) => p * (v ?? 1), 1);
}

function outputShape(layer: Layer): (number | null)[] {
  const shape = layer.outputShape;
  const first = shape[0];
  // a layer with several outputs reports a list of shapes; weighted layers we count have one
  return Array.isArray(first) ? (first as (number | null)[]) : (shape as (number | null)[]);
}

function weightShape(layer: Layer, index: number): number[] {
  return layer.weights[index]?.shape.map((d) => d ?? 1) ?? [];
}

function countWeights(layer: Layer): number {
  return layer.weights.reduce((sum, w) => sum + product(w.shape), 0);
}

/** Forward FLOPs per sample of one layer; 0 for layers without weights. */
function layerForwardFlops(layer: Layer): number {
  const out = outputShape(layer);
  const text = textLayerFlops(layer.getClassName(), out);
  if (text !== null) return text;
  if (layer.weights.length === 0) return 0;
  switch (layer.getClassName()) {
    case 'Conv2D':
    case 'Conv1D': {
      // kernel [KH, (KW,) Cin, Cout]; out [batch, OH, (OW,) Cout]
      return 2 * product(weightShape(layer, 0)) * product(out.slice(1, -1));
    }
    case 'DepthwiseConv2D': {
      // kernel [KH, KW, Cin, multiplier]; out [batch, OH, OW, Cin·multiplier]
      return 2 * product(weightShape(layer, 0)) * product(out.slice(1, -1));
    }
    case 'Dense': {
      // kernel [in, out], applied along the last axis at every other position
      return 2 * product(weightShape(layer, 0)) * product(out.slice(1, -1));
    }
    case 'Embedding':
      // a look-up: one copy per value of its output
      return product(out.slice(1));
    case 'LayerNormalization':
      // mean, variance, normalise, scale and shift: about 8 operations per value
      return 8 * product(out.slice(1));
    default:
      // other weighted layers (normalisation, embeddings, …): a multiply-add per weight, a rough lower bound
      return 2 * countWeights(layer);
  }
}

/** Per-layer forward cost of `model` for one sample, in the model's layer order (inputs first). */
export function forwardFlopsByLayer(model: tf.LayersModel): LayerFlops[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    forward: layerForwardFlops(layer),
    trainable: layer.trainable && layer.trainableWeights.length > 0,
  }));
}

/**
 * Estimated floating-point operations to train `model` on `samples` examples (steps × batch size).
 *
 * Approximation: per sample, the forward pass costs 2·KH·KW·Cin·Cout·OH·OW per convolution and 2·in·out per dense
 * layer (other weighted layers 2 per weight; activations, pooling, the loss and the optimizer's update are not
 * counted). The backward pass costs 2× the forward cost of each trainable layer (gradients with respect to its input
 * and to its weights) and 1× for each frozen layer above the lowest trainable layer (the gradient must still pass
 * through it, but it has no weight gradient); layers below the lowest trainable layer cost nothing backward. So a
 * fully trainable model costs ≈3× its forward pass, the usual rule of thumb, and a linear probe little more than 1×.
 * The lowest trainable layer is counted 2× though it needs no input gradient: a slight overestimate.
 */
export function estimateTrainingFlops(model: tf.LayersModel, samples: number): number {
  const layers = forwardFlopsByLayer(model);
  const lowestTrainable = layers.findIndex((l) => l.trainable);
  let perSample = 0;
  layers.forEach((layer, i) => {
    perSample += layer.forward;
    if (layer.trainable) perSample += 2 * layer.forward;
    else if (lowestTrainable !== -1 && i > lowestTrainable) perSample += layer.forward;
  });
  return perSample * samples;
}

/** Parameters of `model`: those that train (in layers marked trainable) and all, non-trainable ones included. */
export function countParams(model: tf.LayersModel): { trainable: number; total: number } {
  const size = (ws: readonly { shape: readonly (number | null)[] }[]): number =>
    ws.reduce((sum, w) => sum + product(w.shape), 0);
  return { trainable: size(model.trainableWeights), total: size(model.weights) };
}
