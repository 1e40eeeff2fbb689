/** The CLI's progress without a terminal (a log file, CI): one line per finished trial, with elapsed time and ETA. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressDisplay, expectedWork, formatDuration } from '../../../benchmarks/cli/progress-display.js';
import type { TrialKey } from '../../../benchmarks/domain.js';
import { planTrials } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { trialRecord } from '../../support/records.js';

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
