/**
 * The run time init promises holds: `init` on a small table states a range, `run` of the suite it wrote (as written,
 * every budget) states the same range from the same measured speed before it starts, and finishes within its upper end. Other work on the machine during the run is allowed for: the
 * bound is stretched by how much the load average rose between the estimate and the run (measured, never assumed).
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, sandbox } from './cli-helpers.js';

const IRIS = resolve(import.meta.dirname, '..', 'fixtures', 'iris.csv');

/** "42s", "3m07s", "1h02m" back to seconds. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') throw new Error(`not a duration: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

describe('the estimate init states', () => {
  it('holds for the run of the suite it wrote, allowing for load measured during the run', async () => {
    const box = sandbox();
    const out = join(box.dir, 'iris.json');
    const init = cli(box, ['init', IRIS, '--out', out, '--backend', 'wasm']);
    expect(init.status, init.stderr).toBe(0);
    const range = /estimate {6}(\S+|at most) (?:to )?(\S+) for (\d+) trials/.exec(init.stdout);
    const basis = /at a load of ([\d.]+) on (\d+) cores/.exec(init.stdout);
    expect(range, init.stdout).not.toBeNull();
    expect(basis, init.stdout).not.toBeNull();
    const upper = parseDuration(range![2]!);
    const loadThen = Number(basis![1]);
    const cores = Number(basis![2]);

    const started = Date.now();
    const loads: number[] = [];
    const sampler = setInterval(() => loads.push(loadavg()[0]!), 1000);
    const run = cliAsync(box, ['run', out, '--backend', 'wasm']);
    let stderr = '';
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => run.on('exit', done));
    clearInterval(sampler);
    const took = (Date.now() - started) / 1000;
    expect(code, stderr).toBe(0);
    // run printed its estimate before the first trial, from the speed init measured (kept for the day): the same range
    const stated = /estimate {6}(\S+|at most) (?:to )?(\S+) for (\d+) trials/.exec(stderr);
    expect(stated, stderr).not.toBeNull();
    expect(stderr.indexOf(stated![0])).toBeLessThan(stderr.indexOf('[1/'));
    expect(stderr).toContain(basis![0]);
    expect(stated![3]).toBe(range![3]);

    // The share of a core each process gets, when the speed was measured and during the run (the load average
    // counts the runnable processes: with more of them than cores, each gets cores/load of one).
    const during = loads.length > 0 ? loads.reduce((a, b) => a + b, 0) / loads.length : loadavg()[0]!;
    const share = (load: number) => Math.min(1, cores / Math.max(1, load));
    const slack = Math.max(1, share(loadThen) / share(during));
    console.log(
      `estimate ${range![1]} to ${range![2]} (upper ${upper} s) at load ${loadThen}; run took ${took.toFixed(1)} s at mean load ${during.toFixed(1)} on ${cores} cores; slack ${slack.toFixed(2)}`,
    );
    expect(took).toBeLessThanOrEqual(upper * slack + 1);
  });
});
