/**
 * The Store contract (benchmarks/store/store.ts), written once and held against every implementation: SQLite and
 * PostgreSQL. Races use two stores on one database, as two processes would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PretrainRecord, TrialResult } from '../../../benchmarks/domain.js';
import { UserError } from '../../../benchmarks/errors.js';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { planTrials } from '../../../benchmarks/runner/plan-trials.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { TrialNotRunningError, type RunOwner, type Store } from '../../../benchmarks/store/store.js';
import { postgresBackend, sqliteBackend, type FreshDatabase } from '../../support/store-backends.js';

const owner = (token = 'run-1'): RunOwner => ({ token, host: 'h', scope: 's', pid: 1, processStart: '1' });
const alive = () => true;
const dead = () => false;

const quick = loadSuite({ kind: 'builtin', name: 'quick' });

function createQuick(store: Store, runOwner = owner()): Promise<number> {
  return store.createSuite({
    spec: quick.spec,
    baseDir: quick.baseDir,
    backendChoice: 'auto',
    env: environmentInfo(null),
    trials: planTrials(quick.spec),
    owner: runOwner,
  });
}

const doneResult = (accuracy: number): TrialResult => ({
  status: 'done',
  testAccuracy: accuracy,
  testLoss: 0.5,
  epochs: 3,
  bestEpoch: 2,
  steps: 30,
  wallSeconds: 1.5,
  cpuSeconds: 1.25,
  trainableParams: 100,
  totalParams: 200,
  trainFlops: 1e6,
  peakBytes: 1024,
  learningRate: null,
  lrCandidates: [],
  protocol: null,
  backend: 'wasm',
  device: 'CPU',
  error: null,
  epochRecords: [1, 2, 3].map((epoch) => ({
    epoch,
    step: epoch * 10,
    trainLoss: 1 / epoch,
    trainAccuracy: 0.5,
    valLoss: 1 / epoch,
    valAccuracy: 0.5,
    elapsedSeconds: epoch / 2,
  })),
});

/** Settles every promise and counts how many resolved and how many rejected. */
async function outcomes(promises: Promise<unknown>[]) {
  const settled = await Promise.allSettled(promises);
  return {
    fulfilled: settled.filter((s) => s.status === 'fulfilled') as PromiseFulfilledResult<unknown>[],
    rejected: settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[],
  };
}

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe.skipIf(!backend.available())(`Store contract: ${backend.name}`, () => {
    beforeAll(() => backend.setUp());
    afterAll(() => backend.tearDown());
    afterEach(() => backend.closeAll());

    let database: FreshDatabase;
    async function freshStore(): Promise<Store> {
      database = await backend.fresh();
      return database.open();
    }

    it('creates a suite with every planned trial pending, in the planned order', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const trials = await store.listTrials(id);
      expect(trials).toHaveLength(quick.spec.sizes.length * quick.spec.seeds.length * 4);
      expect(trials.map(({ approach, trainSize, seed }) => ({ approach, trainSize, seed }))).toEqual(
        planTrials(quick.spec),
      );
      expect(new Set(trials.map((t) => t.status))).toEqual(new Set(['pending']));
      expect(await store.requireSuite(id)).toMatchObject({
        id,
        name: 'quick',
        status: 'running',
        spec: quick.spec,
        trialsFinished: 0,
        trialsTotal: trials.length,
      });
      expect(await store.listSuites()).toHaveLength(1);
    });

    it("keeps each trial's source (a suite with several) and every source's pretraining record", async () => {
      const store = await freshStore();
      const spec = loadSuite({ kind: 'builtin', name: 'mnist-sources' }).spec;
      const id = await store.createSuite({
        spec,
        baseDir: quick.baseDir,
        backendChoice: 'auto',
        env: environmentInfo(null),
        trials: planTrials(spec),
        owner: owner(),
      });
      const trials = await store.listTrials(id);
      expect(trials.map(({ approach, source, trainSize, seed }) => ({ approach, source, trainSize, seed }))).toEqual(
        planTrials(spec).map((k) => ({ source: undefined, ...k })),
      );
      expect(trials.slice(0, 5).map((t) => [t.approach, t.source])).toEqual([
        ['scratch', undefined],
        ['finetune', 'digits-0-4'],
        ['linear-probe', 'digits-0-4'],
        ['finetune', 'fashion'],
        ['linear-probe', 'fashion'],
      ]);
      const fashion = trials.find((t) => t.source === 'fashion')!;
      await store.markTrialRunning(fashion.id, 'run-1');
      await store.finishTrial(fashion.id, 'run-1', doneResult(0.8));
      expect((await store.listEpochs(id)).map((e) => [e.approach, e.source])).toEqual(
        Array(3).fill(['finetune', 'fashion']),
      );
      const record = (source: string) => ({
        source,
        cacheKey: `cnn-${source}`,
        reused: false,
        sourceDescription: source,
        epochs: 1,
        wallSeconds: 2,
        trainFlops: 3,
        sourceTestAccuracy: 0.9,
        backend: 'wasm' as const,
      });
      await store.setSuitePretrain(id, [record('digits-0-4'), record('fashion')]);
      const stored = await store.requireSuite(id);
      expect(stored.pretrain).toBeNull();
      expect(stored.pretrains).toEqual([record('digits-0-4'), record('fashion')]);
      // a single-source suite keeps its one record as it always was
      const single = await createQuick(store, owner('run-2'));
      await store.setSuitePretrain(single, { ...record('x'), source: undefined });
      expect((await store.requireSuite(single)).pretrain).toMatchObject({ cacheKey: 'cnn-x' });
      expect((await store.requireSuite(single)).pretrains).toBeUndefined();
    });

    it('writes a trial with its curve, and resume resets only unfinished trials', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const [first, second, third] = await store.listTrials(id);
      expect(await store.markTrialRunning(first!.id, 'run-1')).toBe(true);
      await store.finishTrial(first!.id, 'run-1', doneResult(0.9));
      await store.markTrialRunning(second!.id, 'run-1');
      await store.markTrialRunning(third!.id, 'run-1');
      await store.markTrialCancelled(third!.id, 'run-1');
      expect(await store.listEpochs(id)).toHaveLength(3);
      await store.resetUnfinishedTrials(id, 'run-1');
      const after = await store.listTrials(id);
      expect(after[0]).toMatchObject({ status: 'done', testAccuracy: 0.9, bestEpoch: 2 });
      expect(after[1]!.status).toBe('pending');
      expect(after[2]!.status).toBe('pending');
      expect((await store.requireSuite(id)).trialsFinished).toBe(1);
    });

    it('adds trials to a suite for the run that holds it, in order, and refuses a key it already has', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const before = await store.listTrials(id);
      const added = await store.addTrials(id, 'run-1', [
        { approach: 'scratch', trainSize: 77, seed: 9 },
        { approach: 'finetune', trainSize: 77, seed: 9 },
      ]);
      expect(added.map((t) => [t.approach, t.trainSize, t.seed, t.status])).toEqual([
        ['scratch', 77, 9, 'pending'],
        ['finetune', 77, 9, 'pending'],
      ]);
      expect((await store.requireSuite(id)).trialsTotal).toBe(before.length + 2);
      await expect(store.addTrials(id, 'run-2', [{ approach: 'scratch', trainSize: 78, seed: 9 }])).rejects.toThrow(
        /not held by this run/,
      );
      const { approach, trainSize, seed } = before[0]!;
      await expect(
        store.addTrials(id, 'run-1', [
          { approach: 'scratch', trainSize: 79, seed: 9 },
          { approach, trainSize, seed },
        ]),
      ).rejects.toThrow();
      expect((await store.listTrials(id)).length).toBe(before.length + 2);
    });

    it('returns exactly the numbers and text it was given (doubles, large integers, JSON, timestamps)', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const [first] = await store.listTrials(id);
      await store.markTrialRunning(first!.id, 'run-1');
      const lrCandidates = [
        { learningRate: 0.001, bestValLoss: 0.1 + 0.2, steps: 300, pruned: false, diverged: false },
        { learningRate: 3e-7, bestValLoss: null, steps: 20, pruned: false, diverged: true },
      ];
      const protocol = { kind: 'kfold' as const, folds: 5, chosenSteps: 180, examples: 20 };
      const result: TrialResult = {
        ...doneResult(0.1 + 0.7),
        testLoss: 1 / 3,
        wallSeconds: 123456.789012345,
        cpuSeconds: 2 / 3,
        trainFlops: Math.PI * 1e15,
        peakBytes: 2 ** 40 + 7,
        totalParams: 2 ** 33,
        learningRate: 1e-300,
        lrCandidates,
        protocol,
        device: 'Intel® “quoted” ☃',
        epochRecords: [
          {
            epoch: 1,
            step: 7,
            trainLoss: Number.NaN,
            trainAccuracy: 0.125,
            valLoss: 5e-324,
            valAccuracy: 1,
            elapsedSeconds: 0.1,
          },
        ],
      };
      await store.finishTrial(first!.id, 'run-1', result);
      const stored = (await store.getTrial(first!.id))!;
      expect(stored).toMatchObject({
        testAccuracy: 0.1 + 0.7,
        testLoss: 1 / 3,
        wallSeconds: 123456.789012345,
        cpuSeconds: 2 / 3,
        trainFlops: Math.PI * 1e15,
        peakBytes: 2 ** 40 + 7,
        totalParams: 2 ** 33,
        learningRate: 1e-300,
        lrCandidates,
        protocol,
        device: 'Intel® “quoted” ☃',
      });
      expect(stored.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(stored.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(await store.listEpochs(id)).toEqual([
        {
          trialId: first!.id,
          approach: first!.approach,
          trainSize: first!.trainSize,
          seed: first!.seed,
          ...result.epochRecords[0]!,
        },
      ]);
      const suite = await store.requireSuite(id);
      expect(typeof suite.id).toBe('number');
      expect(typeof suite.trialsTotal).toBe('number');
      expect(typeof suite.owner!.heartbeatAt).toBe('number');
    });

    it('writes a finished trial once: a second write, or one by another run, is refused and changes nothing', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const [first, second] = await store.listTrials(id);
      await store.markTrialRunning(first!.id, 'run-1');
      await store.finishTrial(first!.id, 'run-1', doneResult(0.9));
      await expect(store.finishTrial(first!.id, 'run-1', doneResult(0.1))).rejects.toThrow(TrialNotRunningError);
      expect((await store.getTrial(first!.id))!.testAccuracy).toBe(0.9);
      expect(await store.markTrialRunning(first!.id, 'run-1')).toBe(false);
      await store.markTrialRunning(second!.id, 'run-1');
      await expect(store.finishTrial(second!.id, 'run-2', doneResult(0.5))).rejects.toThrow(TrialNotRunningError);
      expect((await store.getTrial(second!.id))!.status).toBe('running');
      expect(await store.listEpochs(id)).toHaveLength(3);
    });

    it('a result whose curve cannot be written writes nothing: the trial stays running, without a curve', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const [first] = await store.listTrials(id);
      await store.markTrialRunning(first!.id, 'run-1');
      const bad = doneResult(0.9);
      bad.epochRecords.push(bad.epochRecords[0]!); // epoch 1 twice: the curve's key is violated
      await expect(store.finishTrial(first!.id, 'run-1', bad)).rejects.toThrow();
      expect(await store.getTrial(first!.id)).toMatchObject({ status: 'running', testAccuracy: null });
      expect(await store.listEpochs(id)).toEqual([]);
      await store.finishTrial(first!.id, 'run-1', doneResult(0.9));
      expect(await store.listEpochs(id)).toHaveLength(3);
    });

    it('keeps one record per (suite, approach, size, seed): a suite planned with a trial twice is not stored', async () => {
      const store = await freshStore();
      const key = planTrials(quick.spec)[0]!;
      const create = store.createSuite({
        spec: quick.spec,
        baseDir: quick.baseDir,
        backendChoice: 'auto',
        env: environmentInfo(null),
        trials: [key, { ...key }],
        owner: owner(),
      });
      await expect(create).rejects.toThrow(/unique/i);
      expect(await store.listSuites()).toEqual([]);
    });

    it('counts done, diverged and failed trials as finished, and reruns failed ones only when asked', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const [a, b, c] = await store.listTrials(id);
      for (const [trial, status] of [
        [a!, 'done'],
        [b!, 'diverged'],
        [c!, 'failed'],
      ] as const) {
        await store.markTrialRunning(trial.id, 'run-1');
        await store.finishTrial(trial.id, 'run-1', { ...doneResult(0.5), status });
      }
      expect((await store.requireSuite(id)).trialsFinished).toBe(3);
      await store.resetUnfinishedTrials(id, 'run-1');
      expect((await store.requireSuite(id)).trialsFinished).toBe(3);
      await store.resetUnfinishedTrials(id, 'run-1', { retryFailed: true });
      expect(await store.getTrial(c!.id)).toMatchObject({ status: 'pending', testAccuracy: null, error: null });
      expect((await store.listEpochs(id)).filter((e) => e.trialId === c!.id)).toEqual([]);
      expect((await store.getTrial(b!.id))!.status).toBe('diverged');
      expect((await store.requireSuite(id)).trialsFinished).toBe(2);
    });

    it('claims a suite for one run at a time: refused while a live run holds it, taken with force or from a dead one', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      expect((await store.requireSuite(id)).owner).toMatchObject({ token: 'run-1', heartbeatAt: expect.any(Number) });
      await expect(store.claimSuite(id, owner('run-2'), { isAlive: alive })).rejects.toThrow(
        /suite 1 is already being run \(process 1 on host h, last heartbeat 0 s ago\).*--force/,
      );
      expect((await store.requireSuite(id)).owner!.token).toBe('run-1');
      const before = await store.claimSuite(id, owner('run-2'), { isAlive: dead });
      expect(before.owner!.token).toBe('run-1');
      expect(await store.heartbeat(id, 'run-1')).toBe(false);
      expect(await store.heartbeat(id, 'run-2')).toBe(true);
      expect(await store.releaseSuite(id, 'run-1', { status: 'done' })).toBe(false);
      await store.claimSuite(id, owner('run-3'), { isAlive: alive, force: true });
      await expect(store.resetUnfinishedTrials(id, 'run-2')).rejects.toThrow(/not held by this run/);
      expect(await store.releaseSuite(id, 'run-3', { status: 'cancelled' })).toBe(true);
      expect(await store.requireSuite(id)).toMatchObject({
        status: 'cancelled',
        owner: null,
        finishedAt: expect.any(String),
      });
      // A suite that is not running has no holder to refuse.
      await store.claimSuite(id, owner('run-4'), { isAlive: alive });
      expect((await store.requireSuite(id)).owner!.token).toBe('run-4');
      await expect(store.claimSuite(42, owner('run-5'), { isAlive: alive })).rejects.toThrow(/no suite with id 42/);
    });

    it('releasing a suite cancels the trials its run left running', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const [first] = await store.listTrials(id);
      await store.markTrialRunning(first!.id, 'run-1');
      await store.releaseSuite(id, 'run-1', { status: 'failed', error: 'x' });
      expect((await store.getTrial(first!.id))!.status).toBe('cancelled');
      expect(await store.requireSuite(id)).toMatchObject({ status: 'failed', error: 'x' });
    });

    it('recovers suites whose run is gone, and leaves live ones alone', async () => {
      const store = await freshStore();
      const live = await createQuick(store);
      const gone = await createQuick(store);
      const trial = (await store.listTrials(gone))[0]!;
      await store.markTrialRunning(trial.id, 'run-1');
      const recovered = await store.recoverInterruptedSuites(dead);
      expect(recovered.sort()).toEqual([live, gone].sort());
      expect((await store.getTrial(trial.id))!.status).toBe('cancelled');
      expect(await store.requireSuite(gone)).toMatchObject({
        status: 'cancelled',
        error: expect.stringMatching(/interrupted/),
      });
      const third = await createQuick(store);
      expect(await store.recoverInterruptedSuites(alive)).toEqual([]);
      expect((await store.requireSuite(third)).status).toBe('running');
      expect((await store.listSuites()).map((s) => s.id)).toEqual([third, gone, live]);
    });

    it('stores a diverged loss as empty, not as a number', async () => {
      const store = await freshStore();
      const id = await createQuick(store);
      const trial = (await store.listTrials(id))[0]!;
      await store.markTrialRunning(trial.id, 'run-1');
      await store.finishTrial(trial.id, 'run-1', { ...doneResult(0.1), status: 'diverged', testLoss: Number.NaN });
      expect((await store.getTrial(trial.id))!.testLoss).toBeNull();
    });

    it("keeps the source of each trial and every source's pretraining record (a suite with several sources)", async () => {
      const store = await freshStore();
      const keys = [
        { approach: 'scratch' as const, trainSize: 10, seed: 0 },
        { approach: 'finetune' as const, source: 'digits', trainSize: 10, seed: 0 },
        { approach: 'finetune' as const, source: 'fashion', trainSize: 10, seed: 0 },
      ];
      const id = await store.createSuite({
        spec: quick.spec,
        baseDir: quick.baseDir,
        backendChoice: 'auto',
        env: environmentInfo(null),
        trials: keys,
        owner: owner(),
      });
      const trials = await store.listTrials(id);
      expect(trials.map(({ approach, source, trainSize, seed }) => ({ approach, source, trainSize, seed }))).toEqual(
        keys.map((k) => ({ source: undefined, ...k })),
      );
      await store.markTrialRunning(trials[2]!.id, 'run-1');
      await store.finishTrial(trials[2]!.id, 'run-1', doneResult(0.7));
      expect((await store.listEpochs(id)).map((e) => e.source)).toEqual(['fashion', 'fashion', 'fashion']);
      const pretrains: PretrainRecord[] = ['digits', 'fashion'].map((source) => ({
        source,
        cacheKey: `key-${source}`,
        reused: false,
        sourceDescription: `${source} digits`,
        epochs: 1,
        wallSeconds: 2.5,
        trainFlops: 1e9,
        sourceTestAccuracy: 0.9,
        backend: 'wasm',
      }));
      await store.setSuitePretrain(id, pretrains);
      expect(await store.requireSuite(id)).toMatchObject({ pretrain: null, pretrains });
    });

    it('says which suite id does not exist', async () => {
      const store = await freshStore();
      await expect(store.requireSuite(42)).rejects.toThrow(UserError);
      await expect(store.requireSuite(42)).rejects.toThrow(/no suite with id 42/);
      expect(await store.getSuite(42)).toBeUndefined();
    });

    describe('two stores on one database, racing', () => {
      it('finishing the same trial at once: exactly one write lands, with one curve', async () => {
        const a = await freshStore();
        const b = await database.open();
        const id = await createQuick(a);
        const trial = (await a.listTrials(id))[0]!;
        await a.markTrialRunning(trial.id, 'run-1');
        const { fulfilled, rejected } = await outcomes([
          a.finishTrial(trial.id, 'run-1', doneResult(0.25)),
          b.finishTrial(trial.id, 'run-1', doneResult(0.75)),
        ]);
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]!.reason).toBeInstanceOf(TrialNotRunningError);
        expect([0.25, 0.75]).toContain((await b.getTrial(trial.id))!.testAccuracy);
        expect(await a.listEpochs(id)).toHaveLength(3);
      });

      it('taking the same pending trial at once: exactly one run gets it', async () => {
        const a = await freshStore();
        const b = await database.open();
        const id = await createQuick(a);
        const trial = (await a.listTrials(id))[0]!;
        const taken = await Promise.all([a.markTrialRunning(trial.id, 'run-a'), b.markTrialRunning(trial.id, 'run-b')]);
        expect(taken.filter(Boolean)).toHaveLength(1);
      });

      it('claiming the same suite at once: one run holds it, the other is refused', async () => {
        const a = await freshStore();
        const b = await database.open();
        const id = await createQuick(a);
        await a.releaseSuite(id, 'run-1', { status: 'cancelled' });
        const { fulfilled, rejected } = await outcomes([
          a.claimSuite(id, owner('run-a'), { isAlive: alive }),
          b.claimSuite(id, owner('run-b'), { isAlive: alive }),
        ]);
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]!.reason).toBeInstanceOf(UserError);
        expect(String(rejected[0]!.reason)).toMatch(/already being run/);
        expect(['run-a', 'run-b']).toContain((await a.requireSuite(id)).owner!.token);
      });

      it('two runs draining one suite: every trial is done exactly once', async () => {
        const a = await freshStore();
        const b = await database.open();
        const id = await createQuick(a);
        const trials = await a.listTrials(id);
        const drain = async (store: Store, token: string) => {
          let won = 0;
          for (const trial of trials) {
            if (!(await store.markTrialRunning(trial.id, token))) continue;
            await store.finishTrial(trial.id, token, doneResult(0.5));
            won++;
          }
          return won;
        };
        const [wonA, wonB] = await Promise.all([drain(a, 'run-a'), drain(b, 'run-b')]);
        expect(wonA + wonB).toBe(trials.length);
        const after = await b.listTrials(id);
        expect(after.every((t) => t.status === 'done')).toBe(true);
        expect(await b.listEpochs(id)).toHaveLength(3 * trials.length);
        expect((await b.requireSuite(id)).trialsFinished).toBe(trials.length);
      });
    });
  });
}
