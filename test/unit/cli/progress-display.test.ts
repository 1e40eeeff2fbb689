/** The CLI's progress without a terminal (a log file, CI): one line per finished trial, with elapsed time and ETA. */
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProgressDisplay, expectedWork, formatDuration } from '../../../benchmarks/cli/progress-display.js';
import type { TrialKey } from '../../../benchmarks/domain.js';
import { planTrials } from '../../../benchmarks/runner/plan-trials.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { trialFlops, trialTrainings } from '../../../benchmarks/spec/trial-work.js';
import { approachFlops } from '../../../benchmarks/builder/estimate.js';
import { trialRecord } from '../../support/records.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

beforeAll(async () => {
  await selectBackend('cpu'); // the FLOP counts build the suite's models
});

afterEach(() => {
  vi.useRealTimers();
});

function logStream(): { stream: NodeJS.WriteStream; lines: () => string[] } {
  let text = '';
  const stream = {
    isTTY: false,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, lines: () => text.trimEnd().split('\n') };
}

describe('progress without a terminal', () => {
  it('gives each finished trial a line with the time elapsed and the ETA of the rest', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { spec } = loadSuite({ kind: 'builtin', name: 'quick' });
    const keys: TrialKey[] = planTrials(spec);
    const { stream, lines } = logStream();
    const display = new ProgressDisplay(spec, stream);
    display.handle({ type: 'suite-started', suiteId: 3, total: keys.length, finished: 0 }, keys, []);
    vi.setSystemTime(new Date('2026-01-01T00:02:05Z'));
    const first = keys[0]!;
    display.handle(
      { type: 'trial-finished', suiteId: 3, trial: trialRecord({ ...first, testAccuracy: 0.875, wallSeconds: 125 }) },
      keys,
      [],
    );
    const [started, finished] = lines();
    expect(started).toBe(`suite 3: 0/${keys.length} trials already finished`);
    expect(finished).toMatch(
      new RegExp(
        `^\\[1/${keys.length}\\] ${first.approach} n=${first.trainSize} seed=${first.seed}: test accuracy 87\\.5% in .+ \\(2m05s elapsed, ETA \\d+(h\\d\\dm|m\\d\\ds)\\)$`,
      ),
    );
    display.stop();
  });

  it('estimates the rest from what the finished trials took per unit of work, shared by the trials in flight', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { spec } = loadSuite({ kind: 'builtin', name: 'quick' });
    const keys: TrialKey[] = planTrials(spec);
    const { stream, lines } = logStream();
    const display = new ProgressDisplay(spec, stream);
    display.handle({ type: 'suite-started', suiteId: 3, total: keys.length, finished: 0 }, keys, []);
    for (const [i, key] of keys.slice(0, 2).entries()) {
      display.handle({ type: 'trial-started', suiteId: 3, trialId: i + 1, key, maxEpochs: 10 }, [], []);
    }
    // a long pretraining before the first trial ended: it must not count as trial time
    vi.setSystemTime(new Date('2026-01-01T00:10:00Z'));
    const first = keys[0]!;
    display.handle(
      { type: 'trial-finished', suiteId: 3, trial: trialRecord({ ...first, id: 1, wallSeconds: 20 }) },
      [],
      [],
    );
    const total = keys.reduce((sum, key) => sum + expectedWork(spec, key), 0);
    const done = expectedWork(spec, first);
    const seconds = ((total - done) * (20 / done)) / 2;
    expect(lines().at(-1)).toContain(`(10m00s elapsed, ETA ${formatDuration(seconds)})`);
    display.stop();
  });

  it('weighs a trial that cross-validates by its folds and candidates, not as one trial among many', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { spec } = loadSuite({ kind: 'builtin', name: 'quick' });
    // quick: 5 classes, 3 learning rates, at least 100 steps of 32; 500 examples hold out 100 (20 a class), while
    // 20 examples would hold out 1 a class, below 10: 3-fold, each candidate on each fold, then the final training
    const big: TrialKey = { approach: 'scratch', trainSize: 500, seed: 0 };
    const small: TrialKey = { approach: 'scratch', trainSize: 20, seed: 0 };
    expect(expectedWork(spec, big, 5)).toBe(3 * Math.max(100 * 32, 20 * 400));
    expect(expectedWork(spec, small, 5)).toBe((3 * 3 + 1) * Math.max(100 * 32, 20 * 14));
    const { stream, lines } = logStream();
    const display = new ProgressDisplay(spec, stream, 5);
    display.handle({ type: 'suite-started', suiteId: 3, total: 2, finished: 0 }, [big, small], []);
    display.handle({ type: 'trial-started', suiteId: 3, trialId: 1, key: big, maxEpochs: 20 }, [], []);
    vi.setSystemTime(new Date('2026-01-01T00:00:30Z'));
    display.handle(
      { type: 'trial-finished', suiteId: 3, trial: trialRecord({ ...big, id: 1, wallSeconds: 30 }) },
      [],
      [],
    );
    // 30 s for 24,000 samples: the 32,000 of the cross-validated trial take 40 s (a count of trials would say 30 s)
    expect(lines().at(-1)).toContain('(30s elapsed, ETA 40s)');
    display.stop();
  });
});

describe('the ETA of a suite that mixes cheap and costly approaches', () => {
  /**
   * quick's linear probe and fine-tune on the MLP it builds (FLOPs per sample counted by the estimator, not assumed),
   * on a synthetic machine whose trials take their FLOPs at one rate plus a fixed cost per training: after the linear
   * probes finish first, the FLOP-weighted ETA is the time the rest takes, the sample-weighted one is far off.
   */
  it('is right from the FLOPs where counting samples was not', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const loaded = loadSuite({ kind: 'builtin', name: 'quick' }).spec;
    const spec = {
      ...loaded,
      approaches: { 'linear-probe': loaded.approaches['linear-probe'], finetune: loaded.approaches.finetune },
    };
    const numClasses = 5;
    const flopsPerSample = approachFlops(spec, [28, 28, 1], numClasses);
    expect(flopsPerSample.finetune!.train).toBeGreaterThan(2.5 * flopsPerSample['linear-probe']!.train);
    const basis = { flopsPerSample, testCount: 500, flopsPerSecond: 2e9, trialOverheadSeconds: 0.3 };
    // the machine runs 3× slower than measured: the ETA must follow the finished trials, not the measurement
    const wall = (key: TrialKey) => {
      const flops = trialFlops(spec, key.approach, key.trainSize, numClasses, flopsPerSample[key.approach]!, 500)!;
      const trainings = trialTrainings(spec, key.approach, key.trainSize, numClasses)!.count;
      return 3 * (flops / basis.flopsPerSecond + trainings * basis.trialOverheadSeconds);
    };
    const keys = planTrials(spec);
    const probes = keys.filter((k) => k.approach === 'linear-probe');
    const rest = keys.filter((k) => k.approach !== 'linear-probe');
    const truth = rest.reduce((sum, k) => sum + wall(k), 0);
    const etaAfterProbes = (withBasis: boolean) => {
      const { stream, lines } = logStream();
      const display = new ProgressDisplay(spec, stream, numClasses, withBasis ? basis : undefined);
      display.handle({ type: 'suite-started', suiteId: 3, total: keys.length, finished: 0 }, keys, []);
      for (const [i, key] of probes.entries()) {
        display.handle(
          { type: 'trial-finished', suiteId: 3, trial: trialRecord({ ...key, id: i + 1, wallSeconds: wall(key) }) },
          [],
          [],
        );
      }
      display.stop();
      return lines().at(-1)!;
    };
    expect(etaAfterProbes(true)).toContain(`ETA ${formatDuration(truth)})`);
    const bySamples = /ETA (\S+)\)$/.exec(etaAfterProbes(false))![1]!;
    const seconds = (text: string) => {
      const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)!;
      return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
    };
    // counting samples, a fine-tune's sample looks as cheap as a probe's: the ETA says well under half the truth
    expect(seconds(bySamples)).toBeLessThan(truth / 2);
  });
});
