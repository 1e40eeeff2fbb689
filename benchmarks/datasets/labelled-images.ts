/**
 * A set of labelled examples held in flat typed arrays, ready to become tensors batch by batch. Images from files
 * stay bytes (one byte per value: 50,000 images of 96×96×3 take 1.4 GB) and are scaled to [0, 1] per batch; a
 * source that gives floats (the mnist package, a table) keeps them as they are.
 */
export interface LabelledImages {
  /**
   * Row-major count × height × width × channels: bytes 0..255 that stand for value / 255, or floats used as they are
   * (pixels already in [0, 1], or table features).
   */
  images: Uint8Array | Float32Array;
  /** Class index 0..classNames.length-1. */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
}

/** Values per example in `images`. */
export function pixelsPerImage(data: Pick<LabelledImages, 'height' | 'width' | 'channels'>): number {
  return data.height * data.width * data.channels;
}

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The value `images[i]` stands for: bytes scaled to [0, 1], floats as they are. */
export function valueAt(images: Uint8Array | Float32Array, i: number): number {
  const v = images[i] as number;
  return images instanceof Uint8Array ? (BYTE_TO_UNIT[v] as number) : v;
}

/**
 * Copies the inputs of the examples `indices` (in that order) into `out` as floats: bytes scaled to [0, 1].
 * `out` must hold indices.length × pixelsPerImage values.
 */
export function floatRows(data: LabelledImages, indices: ArrayLike<number>, out: Float32Array): Float32Array {
  const size = pixelsPerImage(data);
  const source = data.images;
  for (let i = 0; i < indices.length; i++) {
    const from = (indices[i] as number) * size;
    const to = i * size;
    if (source instanceof Uint8Array) {
      for (let p = 0; p < size; p++) out[to + p] = BYTE_TO_UNIT[source[from + p] as number] as number;
    } else {
      out.set(source.subarray(from, from + size), to);
    }
  }
  return out;
}

/** Copies the selected rows (in the order given) into a new set with the same shape, storage type and class names. */
export function gather(data: LabelledImages, indices: Int32Array): LabelledImages {
  const size = pixelsPerImage(data);
  const images =
    data.images instanceof Uint8Array ? new Uint8Array(indices.length * size) : new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (index < 0 || index >= data.count || !Number.isInteger(index)) {
      throw new RangeError(`gather: index ${index} is outside 0..${data.count - 1}`);
    }
    images.set(data.images.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = data.labels[index] as number;
  }
  return {
    images,
    labels,
    count: indices.length,
    height: data.height,
    width: data.width,
    channels: data.channels,
    classNames: [...data.classNames],
  };
}

/** Number of examples of each class, indexed by class. */
export function countPerClass(labels: Int32Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of labels) {
    if (label < 0 || label >= numClasses) throw new RangeError(`label ${label} is outside 0..${numClasses - 1}`);
    counts[label] = (counts[label] as number) + 1;
  }
  return counts;
}
