/** A set of labelled images held in flat typed arrays, ready to become tensors. */
export interface LabelledImages {
  /** Pixel values in [0, 1], row-major count × height × width × channels. */
  images: Float32Array;
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

/** Copies the selected rows (in the order given) into a new set with the same shape and class names. */
export function gather(data: LabelledImages, indices: Int32Array): LabelledImages {
  const size = pixelsPerImage(data);
  const images = new Float32Array(indices.length * size);
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
