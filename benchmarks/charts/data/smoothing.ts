/** Largest smoothing weight offered: at 1 the curve would never move. */
export const MAX_SMOOTHING = 0.99;

/**
 * Exponential moving average with TensorBoard's debiasing: s_i = m_i / (1 − w^k), where
 * m_i = w·m_{i−1} + (1 − w)·v_i, m_0 = 0 and k counts the finite values so far. Without the
 * correction the curve would start pulled towards zero. Non-finite values pass through unchanged
 * and do not advance the average; a constant series is returned as is (as TensorBoard does).
 * Weight 0 returns a copy.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const w = Math.min(MAX_SMOOTHING, Math.max(0, weight));
  if (w === 0 || values.every((v) => v === values[0])) return [...values];
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    count += 1;
    return last / (1 - w ** count);
  });
}
