import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatTopKernels, profileKernels } from '../../../benchmarks/perf/kernel-profile.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('profileKernels', () => {
  it('counts every kernel of a step per step and sorts them by time', async () => {
    const a = tf.randomNormal([96, 96]);
    let steps = 0;
    const profile = await profileKernels(
      () => {
        steps++;
        tf.tidy(() => {
          const p = tf.matMul(a, a);
          tf.matMul(p, a);
          tf.relu(p);
        });
      },
      { repeats: 3, warmup: 1 },
    );
    a.dispose();
    expect(steps).toBe(4);
    expect(profile.backend).toBe('cpu');
    expect(profile.repeats).toBe(3);
    const byName = new Map(profile.kernels.map((k) => [k.name, k]));
    expect(byName.get('BatchMatMul')?.calls).toBe(2);
    expect(byName.get('Relu')?.calls).toBe(1);
    const times = profile.kernels.map((k) => k.ms);
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const kernelMs = times.reduce((s, t) => s + t, 0);
    expect(kernelMs + profile.overheadMs).toBeGreaterThanOrEqual(profile.stepMs - 1e-9);
    expect(profile.kernels.every((k) => k.share >= 0 && k.share <= 1)).toBe(true);
  });

  it('times kernels in CPU time when asked, and gives the backend its own timer back', async () => {
    const a = tf.randomNormal([128, 128]);
    const profile = await profileKernels(() => tf.tidy(() => tf.matMul(a, a)).dispose(), {
      repeats: 2,
      warmup: 0,
      clock: 'cpu',
    });
    a.dispose();
    expect(profile.clock).toBe('cpu');
    expect(profile.kernels.map((k) => k.name)).toContain('BatchMatMul');
    expect(profile.stepMs).toBeGreaterThan(0);
    expect(Object.getOwnPropertyDescriptor(tf.backend(), 'time')).toBeUndefined();
  });

  it('formats the top kernels, the rest and the time outside kernels', () => {
    const lines = formatTopKernels(
      {
        backend: 'wasm',
        clock: 'wall',
        repeats: 1,
        stepMs: 10,
        overheadMs: 1,
        kernels: [
          { name: 'Conv2D', calls: 2, ms: 6, share: 0.6 },
          { name: 'Add', calls: 1, ms: 2, share: 0.2 },
          { name: 'Relu', calls: 1.5, ms: 1, share: 0.1 },
        ],
      },
      2,
    );
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ {2}Conv2D +60\.0% +6\.00 ms\/step {2}\(2 calls\)$/);
    expect(lines[1]).toMatch(/Add +20\.0% +2\.00 ms\/step {2}\(1 call\)$/);
    expect(lines[2]).toMatch(/1 other kernels +10\.0% +1\.00 ms\/step$/);
    expect(lines[3]).toMatch(/outside kernels +10\.0% +1\.00 ms\/step$/);
  });
});
