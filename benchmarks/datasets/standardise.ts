/**
 * Standardisation of table features: mean and standard deviation per feature, fitted on the rows given (a trial's
 * own training split, never its validation or test rows) and applied to every split of that trial.
 */
import { pixelsPerImage, valueAt, type LabelledImages } from './labelled-images.js';

export interface FeatureScaling {
  mean: Float32Array;
  /** Population standard deviation; 1 for a feature that is constant on the fitted rows (it then only shifts). */
  std: Float32Array;
}

export function fitScaling(data: LabelledImages, rows: ArrayLike<number>): FeatureScaling {
  const width = pixelsPerImage(data);
  const sum = new Float64Array(width);
  const sumSquares = new Float64Array(width);
  for (let i = 0; i < rows.length; i++) {
    const base = (rows[i] as number) * width;
    for (let f = 0; f < width; f++) {
      const v = valueAt(data.images, base + f);
      sum[f] = (sum[f] as number) + v;
      sumSquares[f] = (sumSquares[f] as number) + v * v;
    }
  }
  const n = Math.max(1, rows.length);
  const mean = new Float32Array(width);
  const std = new Float32Array(width);
  for (let f = 0; f < width; f++) {
    const m = (sum[f] as number) / n;
    const variance = Math.max(0, (sumSquares[f] as number) / n - m * m);
    mean[f] = m;
    std[f] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}
