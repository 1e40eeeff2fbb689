/**
 * A seed for each layer's initializer, derived from the trial seed and the layer's name so that layers differ from one
 * another, the same layer gets the same initial weights in every model built from one seed, and adding a layer does
 * not shift the others.
 */
export function layerSeed(seed: number, layerName: string): number {
  let h = (Math.imul(seed >>> 0, 2654435761) ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < layerName.length; i++) h = Math.imul(h ^ layerName.charCodeAt(i), 16777619) >>> 0;
  return h;
}
