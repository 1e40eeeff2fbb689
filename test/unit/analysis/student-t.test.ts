import { describe, expect, it } from 'vitest';
import { studentTQuantile } from '../../../benchmarks/analysis/student-t.js';

/**
 * The t distribution's CDF by quadrature, for checking quantiles independently: with t = √ν·tan θ the density
 * becomes ∝ cos^(ν−1) θ on (−π/2, π/2), smooth enough for Simpson's rule.
 */
function cdfByQuadrature(t: number, df: number): number {
  const integral = (from: number, to: number, steps = 20_000): number => {
    const h = (to - from) / steps;
    let sum = 0;
    for (let i = 0; i <= steps; i++) {
      const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
      sum += weight * Math.cos(from + i * h) ** (df - 1);
    }
    return (sum * h) / 3;
  };
  return integral(-Math.PI / 2, Math.atan(t / Math.sqrt(df))) / integral(-Math.PI / 2, Math.PI / 2);
}

describe('Student t quantile', () => {
  it('matches the closed forms for df = 1 (Cauchy) and df = 2', () => {
    // df = 1: F⁻¹(p) = tan(π(p − 1/2)); df = 2: F⁻¹(p) = (2p − 1)·√(2 / (4p(1 − p))).
    expect(studentTQuantile(0.8, 1)).toBeCloseTo(Math.tan(Math.PI * 0.3), 10);
    expect(studentTQuantile(0.9, 2)).toBeCloseTo(0.8 * Math.sqrt(2 / (4 * 0.9 * 0.1)), 10);
  });

  it('0.975 quantiles match printed tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.3027, 4);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 4);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2622, 4);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0423, 4);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.96, 3);
  });

  it('handles fractional degrees of freedom between the integer neighbours', () => {
    const q = studentTQuantile(0.975, 2.5);
    expect(q).toBeLessThan(studentTQuantile(0.975, 2));
    expect(q).toBeGreaterThan(studentTQuantile(0.975, 3));
    expect(cdfByQuadrature(q, 2.5)).toBeCloseTo(0.975, 8);
    // The check itself: at a table value it gives the table's probability.
    expect(cdfByQuadrature(2.2622, 9)).toBeCloseTo(0.975, 4);
  });

  it('is symmetric and rejects bad input with an error that says what was wrong', () => {
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-studentTQuantile(0.975, 5), 10);
    expect(studentTQuantile(0.5, 5)).toBe(0);
    expect(() => studentTQuantile(1, 5)).toThrow(/probability must be in \(0, 1\), got 1/);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/degrees of freedom must be positive, got 0/);
    expect(() => studentTQuantile(Number.NaN, 5)).toThrow(RangeError);
  });
});
