/**
 * The run time the tool promises holds: `init` on a small table states its measured basis, `run` of a cut-down copy
 * of the suite it wrote (one seed, two sizes, one learning rate: two trials that still cross-validate, so every cost
 * a trial pays is in it) states its range from the same measured speed before the first trial, and finishes within
 * its upper end. Other work on the machine during the run is allowed for: the bound is stretched by how much the
 * load average rose between the measurement and the run (measured, never assumed).
 *
 * No fixed timeout: the test's deadline is that stretched bound, recomputed every second from the load measured so
 * far (a run past it is killed and the test fails on the bound), so a busy machine makes it wait longer, never fail.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, sandbox } from './cli-helpers.js';

const IRIS = resolve(import.meta.dirname, '..', 'fixtures', 'iris.csv');

/** The longest a setTimeout can wait: the watchdog below, not vitest's timeout, ends a run that is too slow. */
const NO_FIXED_TIMEOUT = 2 ** 31 - 1;

/** "42s", "3m07s", "1h02m" back to seconds. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') throw new Error(`not a duration: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const RANGE = /estimate {6}(\S+|at most) (?:to )?(\S+) for (\d+) trials/;
const BASIS = /at a load of ([\d.]+) on (\d+) cores/;
/** The measured speed and fixed costs: the same numbers in init's basis and run's when run reuses init's measurement. */
const SPEED = /basis: [^;,]*/;

describe('the estimate init and run state', () => {
  it(
    'holds for a run of the suite init wrote, allowing for load measured during the run',
    async () => {
      // the estimate's own measurement, taken now at this load, is what the run is held to
      const box = sandbox(undefined, { freshMeasurements: true });
      const out = join(box.dir, 'iris.json');
      const init = cli(box, ['init', IRIS, '--out', out, '--backend', 'wasm']);
      expect(init.status, init.stderr).toBe(0);
      expect(RANGE.exec(init.stdout), init.stdout).not.toBeNull();
      const basis = BASIS.exec(init.stdout);
      expect(basis, init.stdout).not.toBeNull();
      const loadThen = Number(basis![1]);
      const cores = Number(basis![2]);

      // the cut-down suite: 15 and 120 of iris's 150 rows, 3 classes, both under 10 validation rows a class: k-fold
      const suite = JSON.parse(readFileSync(out, 'utf8')) as {
        sizes: number[];
        seeds: number[];
        approaches: Record<string, { learningRate: number | number[] }>;
      };
      suite.sizes = [suite.sizes[0]!, suite.sizes.at(-1)!];
      suite.seeds = [suite.seeds[0]!];
      for (const settings of Object.values(suite.approaches)) {
        settings.learningRate = [settings.learningRate].flat()[0]!;
      }
      const small = join(box.dir, 'small.json');
      writeFileSync(small, JSON.stringify(suite));
      const trials = suite.sizes.length * Object.keys(suite.approaches).length;

      // The share of a core each process gets, when the speed was measured and during the run (the load average
      // counts the runnable processes: with more of them than cores, each gets cores/load of one).
      const share = (load: number) => Math.min(1, cores / Math.max(1, load));
      const loads: number[] = [];
      const slackNow = () => {
        const during = loads.length > 0 ? loads.reduce((a, b) => a + b, 0) / loads.length : loadavg()[0]!;
        return { during, slack: Math.max(1, share(loadThen) / share(during)) };
      };

      const started = Date.now();
      const run = cliAsync(box, ['run', small, '--backend', 'wasm']);
      let stderr = '';
      let statedAt: number | null = null;
      run.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (statedAt === null && RANGE.test(stderr)) statedAt = Date.now();
      });
      let upper: number | null = null;
      let killed = false;
      const watchdog = setInterval(() => {
        loads.push(loadavg()[0]!);
        const stated = RANGE.exec(stderr);
        if (stated) upper ??= parseDuration(stated[2]!);
        // past the bound stretched for the load so far (and a minute for the estimate's own measurement): stop it
        const limit = (upper ?? 0) * slackNow().slack + 60 * slackNow().slack;
        if ((Date.now() - started) / 1000 > limit + 1 && !killed) {
          killed = true;
          run.kill('SIGKILL');
        }
      }, 1000);
      const code = await new Promise<number | null>((done) => run.on('exit', done));
      clearInterval(watchdog);
      const took = (Date.now() - started) / 1000;
      // the estimate is of the run from when it is stated (the suite accepted, its checks done): that time is what it
      // bounds; the command's own start before it is reported beside it
      const fromStatement = statedAt === null ? took : (Date.now() - statedAt) / 1000;
      const { during, slack } = slackNow();

      const stated = RANGE.exec(stderr);
      expect(stated, stderr).not.toBeNull();
      upper = parseDuration(stated![2]!);
      console.log(
        `run stated ${stated![1] === 'at most' ? '' : `${stated![1]} to `}${stated![2]} (upper ${upper} s) from the speed measured at load ${loadThen}; it took ${fromStatement.toFixed(1)} s from then (${took.toFixed(1)} s for the whole command) at mean load ${during.toFixed(1)} on ${cores} cores; slack ${slack.toFixed(2)}`,
      );
      expect(killed, `the run passed ${upper} s × ${slack.toFixed(2)} and was stopped:\n${stderr}`).toBe(false);
      expect(code, stderr).toBe(0);
      // before the first trial, for the suite it ran, from the speed init measured (kept for the day)
      expect(stderr.indexOf(stated![0])).toBeLessThan(stderr.indexOf('[1/'));
      expect(Number(stated![3])).toBe(trials);
      expect(stderr).toContain(basis![0]);
      expect(stderr).toContain(SPEED.exec(init.stdout)![0]);
      expect(fromStatement).toBeLessThanOrEqual(upper * slack + 1);
    },
    NO_FIXED_TIMEOUT,
  );
});
