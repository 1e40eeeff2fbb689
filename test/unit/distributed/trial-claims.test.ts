/**
 * How workers take trials of a distributed suite (benchmarks/distributed/trial-claims.ts, over the Store), held
 * against both stores: one queue job's attempts share a token, so of a slow attempt and its retry the first result
 * written is kept; a job of an earlier run never takes a trial over; nothing is taken once the suite stopped; a
 * source model pretrained by a worker is recorded once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialResult } from '../../../benchmarks/domain.js';
import {
  claimTrial,
  findPretrained,
  jobToken,
  recordPretrained,
  recordWorker,
  releaseTrial,
} from '../../../benchmarks/distributed/trial-claims.js';
import { TrialNotRunningError, type Store } from '../../../benchmarks/store/store.js';
import { failedResult } from '../../../benchmarks/train/failed-result.js';
import { createQuickSuite, postgresBackend, sqliteBackend, type FreshDatabase } from '../../support/store-backends.js';

const owner = { token: 'coordinator', host: 'h', scope: 's', pid: 1, processStart: '1' };
const worker = (n: number) => ({ host: `host-${n}`, name: `pid ${n} slot 1` });
const result = (accuracy: number): TrialResult => ({
  ...failedResult('', { name: 'wasm', device: 'cpu' }),
  status: 'done',
  error: null,
  testAccuracy: accuracy,
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe.skipIf(!backend.available())(`taking a trial of a distributed suite: ${backend.name}`, () => {
    let database: FreshDatabase;
    let store: Store;
    let suiteId: number;
    let trialIds: number[];

    beforeAll(async () => {
      await backend.setUp();
      database = await backend.fresh();
      store = await database.open();
      ({ suiteId, ids: trialIds } = await createQuickSuite(store, owner));
    });
    afterAll(() => backend.tearDown());

    it('counts attempts of one job (recording the worker of the latest), and keeps the first result written', async () => {
      const id = trialIds[0]!;
      const job = jobToken('a');
      const runToken = owner.token;
      expect(await claimTrial(store, id, job, worker(1), { runToken })).toBe(1);
      // another job (e.g. left by an earlier run) does not take a running trial
      expect(await claimTrial(store, id, jobToken('b'), worker(2), { runToken })).toBeNull();
      // a job enqueued by a run that no longer holds the suite takes nothing
      expect(await claimTrial(store, trialIds[2]!, jobToken('e'), worker(2), { runToken: 'earlier-run' })).toBeNull();
      // the same job handed out again after its expiry: a second attempt on another worker
      expect(await claimTrial(store, id, job, worker(2), { runToken })).toBe(2);
      // both attempts finish: the first write is kept, the second is refused
      await store.finishTrial(id, job, result(0.9));
      await expect(store.finishTrial(id, job, result(0.1))).rejects.toBeInstanceOf(TrialNotRunningError);
      expect(await claimTrial(store, id, job, worker(3), { runToken })).toBeNull();
      await recordWorker(store, id, worker(1));
      const trial = await store.getTrial(id);
      expect([trial!.status, trial!.testAccuracy, trial!.worker]).toEqual([
        'done',
        0.9,
        { host: 'host-1', name: 'pid 1 slot 1', attempts: 2 },
      ]);
    });

    it('gives a trial back as pending, and takes nothing once the suite stopped', async () => {
      const id = trialIds[1]!;
      expect(await claimTrial(store, id, jobToken('c'), worker(1), { runToken: owner.token })).toBe(1);
      await releaseTrial(store, id, jobToken('c'));
      expect((await store.getTrial(id))!.status).toBe('pending');
      // the run following the suite stores a failed trial without counting an attempt
      expect(
        await claimTrial(store, id, jobToken('f'), worker(9), { runToken: owner.token, countAttempt: false }),
      ).toBe(1);
      await releaseTrial(store, id, jobToken('f'));
      await store.releaseSuite(suiteId, owner.token, { status: 'cancelled' });
      expect(await claimTrial(store, id, jobToken('d'), worker(1), { runToken: owner.token })).toBeNull();
    });

    it('records a source model pretrained by a worker once: the first record is kept', async () => {
      expect(await findPretrained(store, 'mlp-key')).toBeNull();
      const { hash } = await store.putBlob(Buffer.from('weights'));
      await recordPretrained(store, 'mlp-key', hash, '{"epochs":3}');
      await recordPretrained(store, 'mlp-key', hash, '{"epochs":4}');
      expect(await findPretrained(store, 'mlp-key')).toEqual({ blobHash: hash, recordJson: '{"epochs":3}' });
    });
  });
}
