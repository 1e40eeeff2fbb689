import { describe, expect, it } from 'vitest';
import { estimateRemainingSeconds, expectedTrialSeconds } from '../../../renderer/src/lib/progress/eta.js';
import type { TrialRecord } from '../../../benchmarks/domain.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { expectedWork, trialFlops, trialTrainings } from '../../../benchmarks/spec/trial-work.js';
import { trialRecord } from '../../support/records.js';

describe('ETA from finished trials', () => {
  const finished = [
    trialRecord({ id: 1, approach: 'scratch', trainSize: 10, wallSeconds: 10 }),
    trialRecord({ id: 2, approach: 'scratch', trainSize: 10, wallSeconds: 20 }),
    trialRecord({ id: 3, approach: 'finetune', trainSize: 10, wallSeconds: 4, status: 'failed' }),
  ];
  const pending = [
    trialRecord({ id: 4, approach: 'scratch', trainSize: 10, status: 'pending' }),
    trialRecord({ id: 5, approach: 'finetune', trainSize: 100, status: 'pending' }),
    trialRecord({ id: 6, approach: 'scratch', trainSize: 100, status: 'pending' }),
  ];
  const running = trialRecord({ id: 7, approach: 'finetune', trainSize: 10, status: 'running' });

  it('expects the mean of the same approach and size, else the same size, else all', () => {
    expect(expectedTrialSeconds(finished, 'scratch', 10)).toBe(15);
    expect(expectedTrialSeconds(finished, 'partial', 10)).toBeCloseTo(34 / 3, 12);
    expect(expectedTrialSeconds(finished, 'finetune', 100)).toBeCloseTo(34 / 3, 12);
    expect(expectedTrialSeconds([], 'scratch', 10)).toBeNull();
  });

  it('adds up what is left and divides by the trials in flight', () => {
    const now = 1_000_000;
    const inFlight = [{ trialId: 7, approach: 'finetune' as const, trainSize: 10, startedAtMs: now - 3000 }];
    // 15 + 34/3 + 34/3 for the pending trials, and 4 − 3 = 1 for the one in flight
    const all = [...finished, ...pending, running];
    expect(estimateRemainingSeconds(all, inFlight, now)).toBeCloseTo(16 + 68 / 3, 9);
    const two = [...inFlight, { trialId: 4, approach: 'scratch' as const, trainSize: 10, startedAtMs: now }];
    // trial 4 now in flight: 15 − 0 remains for it, same total, shared by two
    expect(estimateRemainingSeconds(all, two, now)).toBeCloseTo((16 + 68 / 3) / 2, 9);
  });

  it('is unknown before anything finished and 0 when nothing is left', () => {
    expect(estimateRemainingSeconds(pending, [], 0)).toBeNull();
    expect(estimateRemainingSeconds(finished, [], 0)).toBe(0);
  });

  it('times every trial by its work, at what the finished trials took per unit of work together', () => {
    // work proportional to size: the finished 10-example trials took 34 s for 30 units
    const work = (_approach: string, trainSize: number) => trainSize;
    expect(expectedTrialSeconds(finished, 'scratch', 10, work)).toBeCloseTo((34 / 30) * 10, 9);
    expect(expectedTrialSeconds(finished, 'finetune', 100, work)).toBeCloseTo((34 / 30) * 100, 9);
  });

  it('is right from the FLOPs after cheap linear-probe trials, where counting samples was not', () => {
    // quick's linear probe and fine-tune, with FLOPs per sample as the estimator counts quick's MLP (a fine-tune's
    // training sample costs 3× a probe's: the whole backward pass), on a machine whose trials take their FLOPs at one
    // rate plus a fixed cost per training, 3× slower than measured
    const loaded = loadSuite({ kind: 'builtin', name: 'quick' }).spec;
    const spec = {
      ...loaded,
      approaches: { 'linear-probe': loaded.approaches['linear-probe'], finetune: loaded.approaches.finetune },
    };
    const basis = {
      flopsPerSample: {
        'linear-probe': { train: 470_784, forward: 468_224 },
        finetune: { train: 1_404_672, forward: 468_224 },
      },
      testCount: 500,
      flopsPerSecond: 2e9,
      trialOverheadSeconds: 0.3,
    };
    const wall = (approach: TrialRecord['approach'], size: number) => {
      const flops = trialFlops(spec, approach, size, 5, basis.flopsPerSample[approach as 'finetune']!, 500)!;
      const trainings = trialTrainings(spec, approach, size, 5)!.count;
      return 3 * (flops / basis.flopsPerSecond + trainings * basis.trialOverheadSeconds);
    };
    const keys = (['linear-probe', 'finetune'] as const).flatMap((approach) =>
      spec.sizes.flatMap((trainSize) => spec.seeds.map((seed) => ({ approach, trainSize, seed }))),
    );
    const trials = keys.map((key, i) =>
      key.approach === 'linear-probe'
        ? trialRecord({ ...key, id: i + 1, wallSeconds: wall(key.approach, key.trainSize) })
        : trialRecord({ ...key, id: i + 1, status: 'pending' }),
    );
    const truth = trials
      .filter((t) => t.status === 'pending')
      .reduce((sum, t) => sum + wall(t.approach, t.trainSize), 0);
    const byFlops = estimateRemainingSeconds(trials, [], 0, (approach, size) =>
      expectedWork(spec, { approach, trainSize: size }, 5, basis),
    );
    const bySamples = estimateRemainingSeconds(trials, [], 0, (approach, size) =>
      expectedWork(spec, { approach, trainSize: size }, 5),
    );
    expect(byFlops).toBeCloseTo(truth, 6);
    expect(bySamples!).toBeLessThan(truth / 2);
  });
});
