/**
 * Issue 16, defect 3: a killed distributed run then a plain `resume` (or `resume --force` over a live distributed run)
 * trained trials twice and credited a worker for work done locally. Taking a suite over, locally or distributed,
 * first cancels the earlier run's queued jobs (a job left behind can no longer take a trial: its run token is not
 * the suite's holder), and every result row names who really trained it.
 */
import { describe, expect, it } from 'vitest';
import type { SharedDatabase } from '../../../benchmarks/distributed/distributed-session.js';
import { claimTrial } from '../../../benchmarks/distributed/trial-claims.js';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { planTrials } from '../../../benchmarks/runner/plan-trials.js';
import { requireSystem } from '../../support/system.js';
import { fakeWorkers, okResult } from '../runner/fake-worker.js';
import { SCRATCH_SUITE, sharedDatabase, sleep, until, postgresForFile } from './distributed-harness.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

/** The tiny suite, whose fine-tuning trials start from a source model pretrained first. */
const PRETRAIN_SUITE = loadSuite({ kind: 'file', path: TINY_SUITE });

const hasPostgres = requireSystem('postgresql');
const killedRun = { token: 'killed-run', host: 'gone-host', scope: 'gone', pid: 999_999, processStart: '1' };

/** What `run --distributed` leaves when it is SIGKILLed: the suite held by a run that no longer beats, its jobs queued. */
async function killedCoordinator(shared: SharedDatabase): Promise<number> {
  const { spec, baseDir } = SCRATCH_SUITE;
  const suiteId = await shared.store.createSuite({
    spec,
    baseDir,
    backendChoice: 'wasm',
    env: environmentInfo(null),
    trials: planTrials(spec),
    owner: killedRun,
  });
  const { hash } = await shared.blobs.put(Buffer.from('the target task'));
  const trials = await shared.store.listTrials(suiteId);
  await shared.queue.enqueue(
    trials.map((t) => ({
      kind: 'trial',
      suiteId,
      trialId: t.id,
      taskHash: hash,
      base: null,
      runToken: killedRun.token,
    })),
    { expireInSeconds: 3600, retryLimit: 2 },
  );
  return suiteId;
}

describe.runIf(hasPostgres)('issue 16 defect 3: taking over a suite cancels the earlier run’s jobs', () => {
  const postgres = postgresForFile();

  it('defect 3: a killed distributed run, then a plain resume: each trial trained once, each row names who trained it', async () => {
    const db = await sharedDatabase(postgres(), 'killed_then_resume');
    try {
      const shared = await db.connect();
      const suiteId = await killedCoordinator(shared);
      const ids = (await shared.store.listTrials(suiteId)).map((t) => t.id);
      // a worker still running: it hangs on the first trial it takes (in flight when the suite is taken over)
      let hung: number | null = null;
      const remote = fakeWorkers({
        trialMs: 50,
        trial: (job) => {
          hung ??= job.trialId;
          return job.trialId === hung ? 'hang' : { result: okResult(0.7) };
        },
      });
      const w = await db.worker(remote, 2);
      await until('the worker to finish a trial', async () =>
        (await shared.store.listTrials(suiteId)).some((t) => t.status === 'done'),
      );
      const local = fakeWorkers({ trialMs: 100 });
      const { run, events } = await db.localResume(suiteId, local, {}, 1);
      const takenOver = [...remote.received];
      expect(await run.finished).toBe('done');
      await sleep(500); // a worker polling every 50 ms would take a job left in the queue by now

      expect(remote.received).toEqual(takenOver);
      const trials = await shared.store.listTrials(suiteId);
      expect(trials.map((t) => t.status)).toEqual(ids.map(() => 'done'));
      const workerName = (id: number) => trials.find((t) => t.id === id)!.worker?.name ?? null;
      for (const id of ids) {
        const byWorker = remote.received.filter((r) => r === id && r !== hung).length;
        const byLocal = local.received.filter((r) => r === id).length;
        // A trial the worker had in flight when the suite was taken over (received before it) is trained again here:
        // the old run's worker is told it is no longer its own and its result is refused. Any other trial is
        // trained once, by one side.
        const inFlight = takenOver.includes(id) && byLocal === 1;
        expect(inFlight ? byLocal : byWorker + byLocal, `trial ${id} trained once`).toBe(1);
        // a trial trained locally names no worker, even the one a worker had taken before the take-over
        expect(workerName(id), `trial ${id}`).toEqual(byLocal ? null : expect.stringMatching(/^pid \d+ slot \d$/));
      }
      expect(local.received).toContain(hung);
      expect(await shared.queue.openJobs(suiteId)).toEqual([]);
      const started = events.find((e) => e.type === 'suite-started');
      expect(started?.type === 'suite-started' && started.notices?.join('\n')).toMatch(
        /jobs of an earlier distributed run of suite \d+ were still in the queue: cancelled/,
      );
      // the worker noticed that the trial it was training is no longer its own, and stopped training it
      expect(w.log.join('\n')).toMatch(/no longer this worker's .*; stopping it here/);
      expect(w.log.join('\n')).not.toMatch(/failed/);
    } finally {
      await db.close();
    }
  });

  it('defect 3: the killed run’s worker stops its in-flight trial within seconds of the take-over (its trial lease is gone)', async () => {
    const db = await sharedDatabase(postgres(), 'in_flight_stops');
    try {
      const shared = await db.connect();
      const suiteId = await killedCoordinator(shared);
      const remote = fakeWorkers({ trial: () => 'hang' });
      const w = await db.worker(remote, 1);
      await until('the worker to take a trial', async () =>
        (await shared.store.listTrials(suiteId)).some((t) => t.status === 'running'),
      );
      expect(remote.alive).toBe(1);
      const takenAt = Date.now();
      const { run } = await db.localResume(suiteId, fakeWorkers({ trialMs: 20 }), {}, 1);
      // the worker's trial heartbeat (every 200 ms here, 2 s by default) finds its claim gone and kills the process
      await until('the worker to stop its trial', () => remote.alive === 0, 5_000);
      const stoppedAfter = Date.now() - takenAt;
      expect(w.log.join('\n')).toMatch(/no longer this worker's .*; stopping it here/);
      expect(await run.finished).toBe('done');
      expect(remote.received).toHaveLength(1);
      console.log(`defect 3: the old run's worker stopped its in-flight trial ${stoppedAfter} ms after the take-over`);
    } finally {
      await db.close();
    }
  });

  it('defect 3: the killed run’s worker stops its pretraining once the suite is taken over', async () => {
    const db = await sharedDatabase(postgres(), 'pretraining_stops');
    try {
      const shared = await db.connect();
      const { spec, baseDir } = PRETRAIN_SUITE;
      const suiteId = await shared.store.createSuite({
        spec,
        baseDir,
        backendChoice: 'wasm',
        env: environmentInfo(null),
        trials: planTrials(spec),
        owner: killedRun,
      });
      const { hash } = await shared.blobs.put(Buffer.from('the source task'));
      const job = {
        kind: 'pretrain' as const,
        suiteId,
        cacheKey: 'killed-run-model',
        sourceHash: hash,
        runToken: killedRun.token,
      };
      await shared.queue.enqueue([job], { expireInSeconds: 3600, retryLimit: 2 });
      const remote = fakeWorkers({ pretrain: 'hang' });
      const w = await db.worker(remote, 1);
      await until('the worker to start pretraining', () => remote.pretrainJobs.length === 1);
      const { run } = await db.localResume(suiteId, fakeWorkers({ trialMs: 5 }), {}, 1);
      await until('the worker to stop pretraining', () => remote.alive === 0, 5_000);
      expect(w.log.join('\n')).toMatch(/pretraining of the source model no longer wanted .*; stopping it here/);
      expect(await run.finished).toBe('done');
      expect(await shared.queue.openJobs(suiteId)).toEqual([]);
      expect(w.log.join('\n')).not.toMatch(/failed/);
    } finally {
      await db.close();
    }
  });

  it('defect 3: resume --force, locally, over a live distributed run: its jobs are cancelled, no worker takes one', async () => {
    const db = await sharedDatabase(postgres(), 'force_local_over_distributed');
    try {
      const first = await db.coordinator(SCRATCH_SUITE);
      const local = fakeWorkers({ trialMs: 100 });
      const { run } = await db.localResume(first.run.suiteId, local, { force: true });
      const remote = fakeWorkers({ trialMs: 10 });
      await db.worker(remote, 2);
      expect(await run.finished).toBe('done');
      expect(await first.run.finished).toBe('cancelled');
      await sleep(500);
      expect(remote.received).toEqual([]);
      const shared = await db.connect();
      const trials = await shared.store.listTrials(first.run.suiteId);
      expect(trials.map((t) => [t.status, t.worker])).toEqual(trials.map(() => ['done', null]));
      expect([...local.received].sort((a, b) => a - b)).toEqual(trials.map((t) => t.id));
    } finally {
      await db.close();
    }
  });

  it('defect 3: resume --force --distributed over a live distributed run: each trial trained once, by the new run’s jobs', async () => {
    const db = await sharedDatabase(postgres(), 'force_distributed_over_distributed');
    try {
      const first = await db.coordinator(SCRATCH_SUITE);
      const second = await db.coordinator(SCRATCH_SUITE, { resumeId: first.run.suiteId, resume: { force: true } });
      expect(second.notices.join('\n')).toMatch(/looked alive .* taking it over/);
      const remote = fakeWorkers({ trialMs: 10 });
      await db.worker(remote, 2);
      expect(await second.run.finished).toBe('done');
      expect(await first.run.finished).toBe('cancelled');
      const shared = await db.connect();
      const trials = await shared.store.listTrials(first.run.suiteId);
      expect([...remote.received].sort((a, b) => a - b)).toEqual(trials.map((t) => t.id));
      expect(trials.every((t) => t.status === 'done' && t.worker !== null)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('defect 3: a job of an earlier run cannot take a trial of a suite another run holds now', async () => {
    const db = await sharedDatabase(postgres(), 'stale_job_claim');
    try {
      const shared = await db.connect();
      const suiteId = await killedCoordinator(shared);
      const [trial] = await shared.store.listTrials(suiteId);
      const worker = { host: 'host-b', name: 'pid 1 slot 1' };
      const claim = (runToken: string) => claimTrial(shared.store, trial!.id, 'job:x', worker, { runToken });
      expect(await claim('another-run')).toBeNull();
      expect(await claim(killedRun.token)).toBe(1);
    } finally {
      await db.close();
    }
  });
});
