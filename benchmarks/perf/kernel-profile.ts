/**
 * Where a training step's time goes, kernel by kernel, on the active backend.
 *
 * `profileKernels(step)` runs `step` under `tf.profile` (the engine times every kernel it dispatches, forward and
 * backward, with the backend's timer; on wasm and cpu that is the kernel's synchronous wall time) and sums the time
 * per kernel name. Kernels a kernel runs by itself (our wasm gradient kernels call Pad, Transpose, Conv2D directly)
 * count in the caller's time, not separately. Time spent outside kernels (JavaScript of the layers, the optimizer and
 * the engine's bookkeeping) is reported as `overheadMs`: the step's wall time minus the kernels' sum.
 *
 *     const profile = await profileKernels(() => trainOneStep(), { repeats: 5 });
 *     for (const line of formatTopKernels(profile, 5)) console.log(line);
 */
import * as tf from '@tensorflow/tfjs-core';

export interface KernelTime {
  /** Kernel name as registered, e.g. `Conv2DBackpropFilter`. */
  name: string;
  /** Calls per step. */
  calls: number;
  /** Milliseconds per step spent in this kernel. */
  ms: number;
  /** Share of the step's wall time, 0–1. */
  share: number;
}

export interface KernelProfile {
  backend: string;
  clock: 'wall' | 'cpu';
  /** Steps profiled (the figures are per step, averaged over these). */
  repeats: number;
  /** Milliseconds per step (of the clock chosen), profiling included. */
  stepMs: number;
  /** Milliseconds per step outside any kernel (stepMs minus the kernels' sum; never negative). */
  overheadMs: number;
  /** Every kernel, most time first. */
  kernels: KernelTime[];
}

export interface ProfileOptions {
  /** Steps to profile; the figures are averaged over them. Default 5. */
  repeats?: number;
  /** Unprofiled steps run first (kernel set-up, XNNPACK operator creation, JIT). Default 2. */
  warmup?: number;
  /**
   * `wall` (default): elapsed time. `cpu`: this process's CPU time (user + system), which other processes on a busy
   * machine disturb much less; only for backends that compute synchronously on this thread (wasm, cpu).
   */
  clock?: 'wall' | 'cpu';
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface Timed {
  time(f: () => void): Promise<{ kernelMs: number }>;
}

/** Makes the active backend time its kernels with `now` while `f` runs. */
async function withKernelClock<T>(now: () => number, f: () => Promise<T>): Promise<T> {
  const backend = tf.backend() as unknown as Timed;
  const own = Object.getOwnPropertyDescriptor(backend, 'time');
  backend.time = (g: () => void) => {
    const start = now();
    g();
    return Promise.resolve({ kernelMs: now() - start });
  };
  try {
    return await f();
  } finally {
    if (own === undefined) delete (backend as Partial<Timed>).time;
    else Object.defineProperty(backend, 'time', own);
  }
}

/**
 * Runs `step` (one training step, say) `warmup` times unprofiled, then `repeats` times under `tf.profile`, and
 * returns the time per kernel name per step. `step` must release its own tensors (the profile only reads timings).
 */
export async function profileKernels(step: () => unknown, options: ProfileOptions = {}): Promise<KernelProfile> {
  const repeats = options.repeats ?? 5;
  const warmup = options.warmup ?? 2;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive integer, got ${repeats}`);
  for (let i = 0; i < warmup; i++) await step();
  const now = options.clock === 'cpu' ? cpuMs : () => performance.now();
  if (options.clock === 'cpu' && !['wasm', 'cpu'].includes(tf.getBackend())) {
    throw new Error(`the cpu clock times only synchronous backends (wasm, cpu), not ${tf.getBackend()}`);
  }
  const byName = new Map<string, { calls: number; ms: number }>();
  let wallMs = 0;
  for (let i = 0; i < repeats; i++) {
    const start = now();
    const profile = () =>
      tf.profile(async () => {
        await step();
      });
    const info = options.clock === 'cpu' ? await withKernelClock(now, profile) : await profile();
    wallMs += now() - start;
    for (const k of info.kernels) {
      const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
      entry.calls += 1;
      // tf.profile resolves kernelTimeMs before returning; a backend without a timer reports an error object
      entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byName.set(k.name, entry);
    }
  }
  const stepMs = wallMs / repeats;
  const kernels = [...byName.entries()]
    .map(([name, e]) => ({ name, calls: e.calls / repeats, ms: e.ms / repeats, share: e.ms / repeats / stepMs }))
    .sort((a, b) => b.ms - a.ms);
  const kernelMs = kernels.reduce((sum, k) => sum + k.ms, 0);
  return {
    backend: tf.getBackend(),
    clock: options.clock ?? 'wall',
    repeats,
    stepMs,
    overheadMs: Math.max(0, stepMs - kernelMs),
    kernels,
  };
}

/**
 * The `top` kernels of a profile, one line each, then the time outside kernels:
 * `  Conv2DBackpropFilter  41.2% 12.30 ms/step  (2 calls)`.
 */
export function formatTopKernels(profile: KernelProfile, top = 5): string[] {
  const shown = profile.kernels.slice(0, top);
  const width = Math.max(20, ...shown.map((k) => k.name.length));
  const line = (name: string, ms: number, calls: string): string =>
    `  ${name.padEnd(width)} ${((100 * ms) / profile.stepMs).toFixed(1).padStart(5)}% ` +
    `${ms.toFixed(2).padStart(7)} ms/step${calls}`;
  const rest = profile.kernels.slice(top);
  const restMs = rest.reduce((sum, k) => sum + k.ms, 0);
  return [
    ...shown.map((k) => line(k.name, k.ms, `  (${formatCalls(k.calls)})`)),
    ...(rest.length > 0 ? [line(`${rest.length} other kernels`, restMs, '')] : []),
    line('outside kernels', profile.overheadMs, ''),
  ];
}

function formatCalls(calls: number): string {
  const n = Number.isInteger(calls) ? String(calls) : calls.toFixed(1);
  return `${n} ${calls === 1 ? 'call' : 'calls'}`;
}
