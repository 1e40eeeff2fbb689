/**
 * Examples as a source stores them (bytes from IDX files, floats from the mnist package), before class
 * selection and label remapping turn the chosen ones into LabelledImages.
 */
import type { LabelledImages } from './labelled-images.js';

export interface RawExamples {
  /** count × height × width × channels values: bytes 0..255, or floats already in [0, 1]. */
  pixels: Uint8Array | Float32Array;
  /** The label of each example as the source numbers it. */
  labelValues: Uint8Array | Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** Some examples of a raw source, by index. */
export interface RawSelection {
  raw: RawExamples;
  indices: Int32Array;
}

/** Indices of the examples of each class, ascending, keyed by label value. */
export function indicesByLabel(labelValues: ArrayLike<number>, classes: readonly number[]): Map<number, Int32Array> {
  const counts = new Map<number, number>(classes.map((c) => [c, 0]));
  for (let i = 0; i < labelValues.length; i++) {
    const value = labelValues[i] as number;
    const n = counts.get(value);
    if (n !== undefined) counts.set(value, n + 1);
  }
  const result = new Map<number, Int32Array>();
  const filled = new Map<number, number>();
  for (const [value, n] of counts) {
    result.set(value, new Int32Array(n));
    filled.set(value, 0);
  }
  for (let i = 0; i < labelValues.length; i++) {
    const value = labelValues[i] as number;
    const target = result.get(value);
    if (target === undefined) continue;
    const at = filled.get(value) as number;
    target[at] = i;
    filled.set(value, at + 1);
  }
  return result;
}

/** Indices of all examples whose label is one of `classes`, ascending. */
export function indicesOfClasses(labelValues: ArrayLike<number>, classes: readonly number[]): Int32Array {
  const wanted = new Set(classes);
  const out: number[] = [];
  for (let i = 0; i < labelValues.length; i++) if (wanted.has(labelValues[i] as number)) out.push(i);
  return Int32Array.from(out);
}

/**
 * Copies the selected examples (parts in order) into LabelledImages, keeping the storage type (bytes stay bytes,
 * scaled to [0, 1] only per batch), labels remapped so that `classes[k]` becomes k. All parts must share one
 * image shape and one storage type.
 */
export function toLabelledImages(
  parts: RawSelection[],
  classes: readonly number[],
  classNames: string[],
): LabelledImages {
  const first = parts[0];
  if (!first) throw new Error('toLabelledImages needs at least one part');
  const { height, width, channels } = first.raw;
  const size = height * width * channels;
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const count = parts.reduce((n, p) => n + p.indices.length, 0);
  const bytes = first.raw.pixels instanceof Uint8Array;
  const images = bytes ? new Uint8Array(count * size) : new Float32Array(count * size);
  const labels = new Int32Array(count);
  let row = 0;
  for (const { raw, indices } of parts) {
    if (raw.height !== height || raw.width !== width || raw.channels !== channels) {
      throw new Error(
        `image shapes differ: ${height}×${width}×${channels} and ${raw.height}×${raw.width}×${raw.channels}`,
      );
    }
    if (raw.pixels instanceof Uint8Array !== bytes) throw new Error('toLabelledImages: parts mix bytes and floats');
    for (const index of indices) {
      const label = classIndex.get(raw.labelValues[index] as number);
      if (label === undefined)
        throw new Error(`example ${index} has label ${raw.labelValues[index]}, not a chosen class`);
      labels[row] = label;
      const from = index * size;
      images.set(raw.pixels.subarray(from, from + size), row * size);
      row++;
    }
  }
  return { images, labels, count, height, width, channels, classNames };
}
