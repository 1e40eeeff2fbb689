import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrialQueue, failureMessage, type TrialJobData } from '../../../benchmarks/distributed/trial-queue.js';
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js';
import { requireSystem } from '../../support/system.js';

const hasPostgres = requireSystem('postgresql');

const trial = (trialId: number, suiteId = 1): TrialJobData => ({
  kind: 'trial',
  suiteId,
  trialId,
  taskHash: 'a'.repeat(64),
  base: null,
  runToken: 'run',
});

describe.runIf(hasPostgres)('the work queue on pg-boss', () => {
  let server: PostgresServer;
  let url: string;
  const open: TrialQueue[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('queue');
  });
  afterAll(async () => {
    await Promise.all(open.map((q) => q.close()));
    await server?.stop();
  });

  it('opens from several processes at once on a new database, and hands each job to one taker', async () => {
    // three connections starting together race to create pg-boss's schema and the queue
    const queues = await Promise.all([1, 2, 3].map(() => TrialQueue.open(url, { maintenanceSeconds: 1 })));
    open.push(...queues);
    const [a, b, c] = queues as [TrialQueue, TrialQueue, TrialQueue];
    await a.enqueue(
      [1, 2, 3, 4, 5, 6].map((id) => trial(id)),
      { expireInSeconds: 60, retryLimit: 2 },
    );
    const taken = await Promise.all([a, b, c, a, b, c, a].map((q) => q.take()));
    const ids = taken.flatMap((job) => (job?.data.kind === 'trial' ? [job.data.trialId] : []));
    expect(ids.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(taken.filter((job) => job === null)).toHaveLength(1);
    for (const job of taken) if (job) await a.complete(job.id);
    expect(await a.openJobs(1)).toEqual([]);
  });

  it('gives a job whose taker went silent to another taker after its expiry, as a second attempt', async () => {
    const [first, second] = open as [TrialQueue, TrialQueue];
    await first.enqueue([trial(7, 2)], { expireInSeconds: 1, retryLimit: 1 });
    const job = await first.take();
    expect(job).toMatchObject({ attempt: 1, data: { trialId: 7 } });
    // the taker never completes it; pg-boss's maintenance (every second here) expires it
    let again = null;
    for (let i = 0; i < 40 && !again; i++) {
      await new Promise((r) => setTimeout(r, 250));
      again = await second.take();
    }
    expect(again).toMatchObject({ id: job!.id, attempt: 2, data: { trialId: 7 } });
    // the last attempt expires too: the job ends failed, with pg-boss's reason
    let failed: { output: unknown }[] = [];
    for (let i = 0; i < 40 && failed.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      failed = await second.failedJobs(2);
    }
    expect(failed).toHaveLength(1);
    expect(failureMessage(failed[0]!.output)).toMatch(/timeout/);
  });

  it('cancels what is left of one suite and leaves the others', async () => {
    const [q] = open as [TrialQueue];
    await q.enqueue([trial(10, 3), trial(11, 3), trial(12, 4)], { expireInSeconds: 60, retryLimit: 1 });
    expect(await q.cancelSuite(3)).toBe(2);
    const next = await q.take();
    expect(next?.data).toMatchObject({ suiteId: 4, trialId: 12 });
    expect(await q.take()).toBeNull();
  });
});
