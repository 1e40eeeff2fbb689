import type { ValueRange } from './stats.js';

/** A per-trial metric the data-efficiency chart can plot against training-set size. */
export type EfficiencyMetric = 'testAccuracy' | 'testLoss';

/** A per-epoch curve the convergence chart can plot. */
export type CurveMetric = 'loss' | 'accuracy';
export type CurveSplit = 'train' | 'val';

export const ACCURACY_RANGE: ValueRange = { min: 0, max: 1 };
export const LOSS_RANGE: ValueRange = { min: 0, max: Infinity };

export function efficiencyRange(metric: EfficiencyMetric): ValueRange {
  return metric === 'testAccuracy' ? ACCURACY_RANGE : LOSS_RANGE;
}

export function curveRange(metric: CurveMetric): ValueRange {
  return metric === 'accuracy' ? ACCURACY_RANGE : LOSS_RANGE;
}

export const EFFICIENCY_METRIC_LABELS: Record<EfficiencyMetric, string> = {
  testAccuracy: 'Test accuracy',
  testLoss: 'Test loss',
};

export const CURVE_METRIC_LABELS: Record<CurveMetric, string> = { loss: 'Loss', accuracy: 'Accuracy' };
export const CURVE_SPLIT_LABELS: Record<CurveSplit, string> = { train: 'train', val: 'validation' };
