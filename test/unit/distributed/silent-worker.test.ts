/**
 * Issue 16, defect 11: the trial of a dead worker stalled silently until its job expired (--trial-timeout, an hour by
 * default). Each running trial now has its own heartbeat; the run following the suite hands the trial of a worker
 * that went silent back to the queue and says so.
 */
import { describe, expect, it } from 'vitest';
import { claimTrial, jobToken } from '../../../benchmarks/distributed/trial-claims.js';
import { scaled } from '../../support/machine-load.js';
import { requireSystem } from '../../support/system.js';
import { fakeWorkers } from '../runner/fake-worker.js';
import { SCRATCH_SUITE, sharedDatabase, until, postgresForFile } from './distributed-harness.js';

const hasPostgres = requireSystem('postgresql');

describe.runIf(hasPostgres)('issue 16 defect 11: a dead worker’s trial goes back to the queue', () => {
  const postgres = postgresForFile();

  it('defect 11: a worker killed mid-trial: its trial is handed to another worker once it is silent, and the run says so', async () => {
    const db = await sharedDatabase(postgres(), 'silent_worker');
    try {
      const silentAfterMs = 2_000;
      const coordinator = await db.coordinator(SCRATCH_SUITE, { trialSilentAfterMs: silentAfterMs });
      const { suiteId } = coordinator.run;
      // What a worker SIGKILLed mid-trial leaves: its job active in the queue, its trial running under the job's token,
      // and then no heartbeat ever again.
      const shared = await db.connect();
      const job = await shared.queue.take();
      expect(job?.data.kind).toBe('trial');
      if (job?.data.kind !== 'trial') return;
      const dead = { host: 'host-b', name: 'pid 4242 slot 1' };
      const claimed = await claimTrial(shared.store, job.data.trialId, jobToken(job.id), dead, {
        runToken: job.data.runToken,
      });
      expect(claimed).toBe(1);
      await shared.store.trialHeartbeat(job.data.trialId, jobToken(job.id));
      const diedAt = Date.now();

      const survivor = fakeWorkers({ trialMs: 20 });
      await db.worker(survivor, 1);
      await until(
        'the dead worker’s trial to be handed to another worker',
        () => survivor.received.includes(job.data.kind === 'trial' ? job.data.trialId : -1),
        // well below the job's expiry (an hour): about the silence allowed, stretched for the machine's load
        silentAfterMs * 5,
      );
      const retriedAfterMs = Date.now() - diedAt;
      expect(await coordinator.run.finished).toBe('done');
      expect(retriedAfterMs).toBeGreaterThanOrEqual(silentAfterMs);
      expect(retriedAfterMs).toBeLessThan(scaled(silentAfterMs * 5));
      expect(coordinator.notices.join('\n')).toMatch(
        new RegExp(
          `trial ${job.data.trialId}: worker host-b/pid 4242 slot 1 silent for \\d+ s; handing it to another worker`,
        ),
      );
      const trials = await shared.store.listTrials(suiteId);
      expect(trials.every((t) => t.status === 'done')).toBe(true);
      const retried = trials.find((t) => t.id === (job.data.kind === 'trial' ? job.data.trialId : -1))!;
      expect(retried.worker).toMatchObject({ host: expect.any(String), attempts: 2 });
      expect(retried.worker?.name).not.toBe(dead.name);
      // each trial was trained once by the survivor; the dead worker's job will not be handed out again
      expect([...survivor.received].sort((a, b) => a - b)).toEqual(trials.map((t) => t.id));
      expect(await shared.queue.openJobs(suiteId)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('defect 11: a live worker whose trials run longer than the silence allowed keeps them (its heartbeat goes on)', async () => {
    const db = await sharedDatabase(postgres(), 'slow_worker');
    try {
      const silentAfterMs = 1_500;
      const coordinator = await db.coordinator(
        { ...SCRATCH_SUITE, spec: { ...SCRATCH_SUITE.spec, seeds: [0] } },
        { trialSilentAfterMs: silentAfterMs },
      );
      // each trial takes longer than the silence allowed: only a heartbeat keeps it with its worker
      const slow = fakeWorkers({ trialMs: silentAfterMs * 3 });
      const w = await db.worker(slow, 2);
      expect(await coordinator.run.finished).toBe('done');
      expect(coordinator.notices.join('\n')).not.toMatch(/silent/);
      expect(slow.received).toHaveLength(2);
      expect(w.log.join('\n')).not.toMatch(/stopping it here/);
    } finally {
      await db.close();
    }
  });
});
