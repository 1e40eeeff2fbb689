import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFlops,
  formatNumber,
  formatPercent,
} from '../../../benchmarks/charts/format.js';

describe('formatting', () => {
  it('formats durations', () => {
    expect(formatDuration(0.83)).toBe('0.8s');
    expect(formatDuration(245)).toBe('4m 05s');
    expect(formatDuration(7620)).toBe('2h 07m');
    expect(formatDuration(null)).toBe('—');
  });

  it('formats metrics', () => {
    expect(formatPercent(0.8123)).toBe('81.2%');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(0.0001234)).toBe('1.234e-4');
    expect(formatCount(12345)).toBe('12\u2009345');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
    expect(formatFlops(3.2e9)).toBe('3.2 GFLOP');
  });
});
