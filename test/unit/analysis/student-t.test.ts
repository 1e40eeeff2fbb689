import { describe, expect, it } from 'vitest';
import { logGamma, studentTCdf, studentTQuantile } from '../../../benchmarks/analysis/student-t.js';

describe('Student t', () => {
  it('log gamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('CDF is 1/2 at 0 and matches the closed form for df = 1 (Cauchy) and df = 2', () => {
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 14);
    expect(studentTCdf(1, 1)).toBeCloseTo(0.5 + Math.atan(1) / Math.PI, 12);
    expect(studentTCdf(-2, 1)).toBeCloseTo(0.5 + Math.atan(-2) / Math.PI, 12);
    // df = 2: F(t) = 1/2 + t / (2√(2 + t²))
    expect(studentTCdf(1.5, 2)).toBeCloseTo(0.5 + 1.5 / (2 * Math.sqrt(2 + 1.5 ** 2)), 12);
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
    expect(studentTCdf(q, 2.5)).toBeCloseTo(0.975, 10);
  });

  it('is symmetric and rejects bad input', () => {
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-studentTQuantile(0.975, 5), 10);
    expect(studentTQuantile(0.5, 5)).toBe(0);
    expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});
