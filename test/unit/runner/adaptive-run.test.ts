import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, TrialKey } from '../../../benchmarks/domain.js';
import { createRng, deriveSeed } from '../../../benchmarks/datasets/seeded-random.js';
import { nextRound } from '../../../benchmarks/design/adaptive-design.js';
import { adaptiveSettingsOf } from '../../../benchmarks/design/suite-design.js';
import type { DesignTrial } from '../../../benchmarks/design/design-evidence.js';
import { SuiteRun, type RunnerOptions } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite, type LoadedSuite } from '../../../benchmarks/spec/load-suite.js';
import { openDb } from '../../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../../benchmarks/store/sqlite-store.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';
import { scaled } from '../../support/machine-load.js';
import { designSection } from '../../../benchmarks/report/design-section.js';
import { renderMarkdown } from '../../../benchmarks/report/document.js';
import { fakeWorkers, okResult, type FakeWorkers } from './fake-worker.js';

const tiny = loadSuite({ kind: 'file', path: TINY_SUITE });
/** Tiny made adaptive: sizes 10..640, up to five seeds, scratch against fine-tuning. */
const suite: LoadedSuite = {
  ...tiny,
  spec: {
    ...tiny.spec,
    sizes: [10, 640],
    seeds: [0, 1, 2, 3, 4],
    approaches: { scratch: tiny.spec.approaches.scratch, finetune: tiny.spec.approaches.finetune },
    design: { kind: 'adaptive' },
  },
};

/** Synthetic accuracies with a known crossover: the gap 0.15/√n is one point at n = 225. */
function accuracy(key: TrialKey): number {
  const n = key.trainSize;
  const curve = key.approach === 'scratch' ? 0.97 - 1.0 / Math.sqrt(n) : 0.97 - 0.85 / Math.sqrt(n);
  const noise = (stream: number) => (createRng(deriveSeed(key.seed * 100_003 + n, stream))() - 0.5) * 0.01;
  return curve + noise(7) + noise(key.approach === 'scratch' ? 1 : 2);
}

let previousCache: string | undefined;
beforeAll(() => {
  previousCache = process.env.TRANSFER_BENCH_CACHE;
  process.env.TRANSFER_BENCH_CACHE = mkdtempSync(join(tmpdir(), 'tb-adaptive-cache-'));
});
afterAll(() => {
  if (previousCache === undefined) delete process.env.TRANSFER_BENCH_CACHE;
  else process.env.TRANSFER_BENCH_CACHE = previousCache;
});

function freshStore(): SqliteStore {
  return new SqliteStore(openDb(join(mkdtempSync(join(tmpdir(), 'tb-adaptive-')), 'results.db')));
}

function options(store: SqliteStore, fake: FakeWorkers) {
  const events: RunEvent[] = [];
  const runner: RunnerOptions = {
    store,
    forkWorker: fake.forker,
    backend: 'wasm',
    workers: 1,
    onEvent: (e) => events.push(e),
  };
  return { runner, events };
}

const keyText = (t: TrialKey) => `${t.approach}|${t.trainSize}|${t.seed}`;

/** The design run offline on the same accuracies: the trials an adaptive run must end with. */
function offlineDesign(): string[] {
  const settings = adaptiveSettingsOf(suite.spec)!;
  const stored: DesignTrial[] = [];
  for (let step = nextRound(settings, stored); step.kind === 'add'; step = nextRound(settings, stored))
    stored.push(...step.trials.map((t) => ({ ...t, testAccuracy: accuracy(t), costSeconds: okResult(0).wallSeconds })));
  return stored.map(keyText).sort();
}

const until = async (condition: () => Promise<boolean>) => {
  const end = Date.now() + scaled(10_000);
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('adaptive suite run (fake workers)', () => {
  it('adds rounds after each round is stored, announces why, and ends with the trials the design chose', async () => {
    const store = freshStore();
    const fake = fakeWorkers({ trial: (job) => ({ result: okResult(accuracy(job.key)) }) });
    const { runner, events } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    expect(await run.finished).toBe('done');
    const trials = await store.listTrials(run.suiteId);
    expect(trials.every((t) => t.status === 'done')).toBe(true);
    const expected = offlineDesign();
    expect(trials.map(keyText).sort()).toEqual(expected);
    const rounds = events.filter((e) => e.type === 'suite-started');
    expect(rounds.length).toBeGreaterThan(2);
    expect(rounds[0]).toMatchObject({ total: 16 });
    expect(
      rounds.flatMap((r) => r.notices ?? []).some((n) => /size \d+ added: the fine-tuning\/scratch crossover/.test(n)),
    ).toBe(true);
    expect(rounds.at(-1)!.notices!.at(-1)).toMatch(/^design stopped: (settled|stopped at the seed cap)/);
    const section = designSection(await store.requireSuite(run.suiteId), trials);
    const table = section.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.rows.length).toBe(rounds.length - 1);
    const text = renderMarkdown({ title: 'design', blocks: section });
    expect(text).toContain('How this suite was designed');
    expect(text).toMatch(/The design stopped after round \d+: (settled|stopped at the seed cap)/);
    expect(text).toMatch(new RegExp(`this suite ran \\d+% of them`));
    console.log(text);
    console.log(
      `adaptive run (fake workers): ${trials.length} trials in ${rounds.length - 1} rounds; ${rounds.at(-1)!.notices!.at(-1)}`,
    );
  });

  it('cancelled mid-round and resumed, it ends with the same design as a run never interrupted', async () => {
    const store = freshStore();
    let hang = true;
    const fake = fakeWorkers({
      trial: (job) => (hang && job.trialId > 18 ? 'hang' : { result: okResult(accuracy(job.key)) }),
    });
    const { runner } = options(store, fake);
    const run = await SuiteRun.start(runner, suite);
    // round 0 is 16 trials (sizes 10, 40, 160, 640; two seeds): trial 19 is in round 1
    await until(async () => (await store.listTrials(run.suiteId)).some((t) => t.id === 19 && t.status === 'running'));
    run.cancel();
    expect(await run.finished).toBe('cancelled');
    hang = false;
    const resumed = await SuiteRun.resume(runner, run.suiteId);
    expect(await resumed.finished).toBe('done');
    expect((await store.listTrials(run.suiteId)).map(keyText).sort()).toEqual(offlineDesign());
    await expect(SuiteRun.resume(runner, run.suiteId)).rejects.toThrow(/already complete/);
  });
});
