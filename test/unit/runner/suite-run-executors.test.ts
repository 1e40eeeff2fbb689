/**
 * One SuiteRun over both executors (issue 17): the same lifecycle tests, run with local worker slots on SQLite and
 * with the PostgreSQL queue's workers (`transfer-bench worker` loops in this process) on a real PostgreSQL. Fake
 * worker processes (fake-worker.ts) stand in for training in both, so each case plays out in seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent, TrialKey } from '../../../benchmarks/domain.js';
import { modelCacheDir } from '../../../benchmarks/paths.js';
import { createRng, deriveSeed } from '../../../benchmarks/datasets/seeded-random.js';
import { nextRound } from '../../../benchmarks/design/adaptive-design.js';
import type { DesignTrial } from '../../../benchmarks/design/design-evidence.js';
import { adaptiveSettingsOf } from '../../../benchmarks/design/suite-design.js';
import { SuiteRun, type ResumeOptions } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite, type LoadedSuite } from '../../../benchmarks/spec/load-suite.js';
import { openDb } from '../../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../../benchmarks/store/sqlite-store.js';
import type { Store } from '../../../benchmarks/store/store.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';
import { requireSystem } from '../../support/system.js';
import { SCRATCH_SUITE, postgresForFile, sharedDatabase, until } from '../distributed/distributed-harness.js';
import { fakeWorkers, okResult, type FakeWorkers } from './fake-worker.js';

const hasPostgres = requireSystem('postgresql');

interface Started {
  run: SuiteRun;
  events: RunEvent[];
  notices: string[];
}

/** What a test needs of one executor: start or resume a suite whose trials the fake workers `fake` train. */
interface Executor {
  store(): Promise<Store>;
  start(suite: LoadedSuite, fake: FakeWorkers): Promise<Started>;
  resume(suiteId: number, fake: FakeWorkers, resume?: ResumeOptions): Promise<Started>;
  close(): Promise<void>;
}

function localExecutor(): Executor {
  const store = new SqliteStore(openDb(join(mkdtempSync(join(tmpdir(), 'tb-executors-')), 'results.db')));
  const started = async (make: (events: RunEvent[], notices: string[]) => Promise<SuiteRun>) => {
    const events: RunEvent[] = [];
    const notices: string[] = [];
    return { run: await make(events, notices), events, notices };
  };
  const options = (fake: FakeWorkers, events: RunEvent[]) => ({
    store,
    forkWorker: fake.forker,
    backend: 'wasm' as const,
    workers: 2,
    heartbeatMs: 100,
    onEvent: (event: RunEvent) => events.push(event),
  });
  return {
    store: async () => store,
    start: (suite, fake) => started((events) => SuiteRun.start(options(fake, events), suite)),
    resume: (suiteId, fake, resume = {}) =>
      started((events, notices) =>
        SuiteRun.resume(options(fake, events), suiteId, { ...resume, onTakeOver: (m) => notices.push(m) }),
      ),
    close: async () => store.close(),
  };
}

const postgres = hasPostgres ? postgresForFile() : () => undefined;
let databases = 0;

async function queueExecutor(): Promise<Executor> {
  const db = await sharedDatabase(postgres()!, `executors_${++databases}`);
  /** One `transfer-bench worker --workers 2` per set of fake processes, started with the first run that uses it. */
  const workers = new Map<FakeWorkers, Promise<unknown>>();
  const workerFor = (fake: FakeWorkers) => {
    if (!workers.has(fake)) workers.set(fake, db.worker(fake, 2));
    return workers.get(fake)!;
  };
  return {
    store: async () => (await db.connect()).store,
    async start(suite, fake) {
      const started = await db.coordinator(suite);
      await workerFor(fake);
      return started;
    },
    async resume(suiteId, fake, resume = {}) {
      const started = await db.coordinator(SCRATCH_SUITE, { resumeId: suiteId, resume });
      await workerFor(fake);
      return started;
    },
    close: () => db.close(),
  };
}

const executors: [string, () => Promise<Executor>, boolean][] = [
  ['local worker slots (SQLite)', async () => localExecutor(), true],
  ['the PostgreSQL queue', queueExecutor, hasPostgres],
];

const tiny = loadSuite({ kind: 'file', path: TINY_SUITE });
/** Tiny made adaptive: sizes 10..640, up to five seeds, scratch against fine-tuning (pretrained by a worker). */
const adaptiveSuite: LoadedSuite = {
  ...tiny,
  spec: {
    ...tiny.spec,
    sizes: [10, 640],
    seeds: [0, 1, 2, 3, 4],
    approaches: { scratch: tiny.spec.approaches.scratch, finetune: tiny.spec.approaches.finetune },
    design: { kind: 'adaptive' },
  },
};

/** Synthetic accuracies with a known crossover (as in adaptive-run.test.ts). */
function accuracy(key: TrialKey): number {
  const n = key.trainSize;
  const curve = key.approach === 'scratch' ? 0.97 - 1.0 / Math.sqrt(n) : 0.97 - 0.85 / Math.sqrt(n);
  const noise = (stream: number) => (createRng(deriveSeed(key.seed * 100_003 + n, stream))() - 0.5) * 0.01;
  return curve + noise(7) + noise(key.approach === 'scratch' ? 1 : 2);
}

const keyText = (t: TrialKey) => `${t.approach}|${t.trainSize}|${t.seed}`;

function offlineDesign(): string[] {
  const settings = adaptiveSettingsOf(adaptiveSuite.spec)!;
  const stored: DesignTrial[] = [];
  for (let step = nextRound(settings, stored); step.kind === 'add'; step = nextRound(settings, stored))
    stored.push(...step.trials.map((t) => ({ ...t, testAccuracy: accuracy(t), costSeconds: okResult(0).wallSeconds })));
  return stored.map(keyText).sort();
}

describe.each(executors)('SuiteRun over %s', (_name, make, available) => {
  // The fake workers write placeholder models into the model cache: a test on one executor must not find another's.
  beforeEach(() => rmSync(modelCacheDir(), { recursive: true, force: true }));

  it.runIf(available)('runs every trial once, with the events of a run from start to end', async () => {
    const executor = await make();
    try {
      const fake = fakeWorkers({ writeModels: true });
      const { run, events } = await executor.start(SCRATCH_SUITE, fake);
      expect(await run.finished).toBe('done');
      const store = await executor.store();
      const trials = await store.listTrials(run.suiteId);
      expect(trials.map((t) => t.status)).toEqual(trials.map(() => 'done'));
      expect([...fake.received].sort((a, b) => a - b)).toEqual(trials.map((t) => t.id));
      expect(events.at(0)).toMatchObject({ type: 'suite-started', total: trials.length, finished: 0 });
      expect(events.at(-1)).toMatchObject({ type: 'suite-finished', status: 'done', error: null });
      const finished = events.flatMap((e) => (e.type === 'trial-finished' ? [e.trial.id] : []));
      expect(finished.sort((a, b) => a - b)).toEqual(trials.map((t) => t.id));
      expect(await store.requireSuite(run.suiteId)).toMatchObject({ status: 'done', owner: null });
    } finally {
      await executor.close();
    }
  });

  it.runIf(available)(
    'an adaptive suite: rounds added after each round, ending with the trials the design chose',
    async () => {
      const executor = await make();
      try {
        const fake = fakeWorkers({ writeModels: true, trial: (job) => ({ result: okResult(accuracy(job.key)) }) });
        const { run, events } = await executor.start(adaptiveSuite, fake);
        expect(await run.finished).toBe('done');
        const trials = await (await executor.store()).listTrials(run.suiteId);
        expect(trials.every((t) => t.status === 'done')).toBe(true);
        expect(trials.map(keyText).sort()).toEqual(offlineDesign());
        const rounds = events.filter((e) => e.type === 'suite-started');
        expect(rounds.length).toBeGreaterThan(2);
        expect(
          rounds
            .flatMap((r) => r.notices ?? [])
            .some((n) => /size \d+ added: the fine-tuning\/scratch crossover/.test(n)),
        ).toBe(true);
        expect(rounds.at(-1)!.notices!.at(-1)).toMatch(/^design stopped: /);
        expect(fake.pretrainJobs).toHaveLength(1);
      } finally {
        await executor.close();
      }
    },
  );

  it.runIf(available)('cancelled, it keeps finished trials; resume runs only the rest', async () => {
    const executor = await make();
    try {
      let hang = true;
      const fake = fakeWorkers({ trialMs: 20, trial: () => (hang ? 'hang' : { result: okResult(0.7) }) });
      const { run } = await executor.start(SCRATCH_SUITE, fake);
      const store = await executor.store();
      await until('a trial to start', async () =>
        (await store.listTrials(run.suiteId)).some((t) => t.status === 'running'),
      );
      run.cancel();
      expect(await run.finished).toBe('cancelled');
      expect((await store.requireSuite(run.suiteId)).status).toBe('cancelled');
      hang = false;
      const again = await executor.resume(run.suiteId, fake);
      expect(await again.run.finished).toBe('done');
      const trials = await store.listTrials(run.suiteId);
      expect(trials.map((t) => t.status)).toEqual(trials.map(() => 'done'));
      await expect(executor.resume(run.suiteId, fake)).rejects.toThrow(/already complete/);
    } finally {
      await executor.close();
    }
  });

  it.runIf(available)(
    'resume --force over a live run takes the suite; the run taken over stops and says why',
    async () => {
      const executor = await make();
      try {
        let hang = true;
        const fake = fakeWorkers({ trialMs: 20, trial: () => (hang ? 'hang' : { result: okResult(0.7) }) });
        const first = await executor.start(SCRATCH_SUITE, fake);
        const store = await executor.store();
        await until('a trial to start', async () =>
          (await store.listTrials(first.run.suiteId)).some((t) => t.status === 'running'),
        );
        hang = false;
        const second = await executor.resume(first.run.suiteId, fake, { force: true });
        expect(second.notices.join('\n')).toMatch(/looked alive .* taking it over/);
        expect(await first.run.finished).toBe('cancelled');
        expect(first.events.at(-1)).toMatchObject({
          type: 'suite-finished',
          status: 'cancelled',
          error: expect.stringMatching(/taken over by another run/),
        });
        expect(await second.run.finished).toBe('done');
        const trials = await store.listTrials(first.run.suiteId);
        expect(trials.map((t) => t.status)).toEqual(trials.map(() => 'done'));
      } finally {
        await executor.close();
      }
    },
  );
});
