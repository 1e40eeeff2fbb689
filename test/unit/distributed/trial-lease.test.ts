/**
 * A running trial's lease in the store (issue 16, defect 11): its worker refreshes a heartbeat while it trains, the
 * run following the suite reads every running trial's holder and heartbeat, and hands the trial of a silent worker
 * back (pending again); the old holder's later writes are refused. Held against both stores.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { planTrials } from '../../../benchmarks/runner/plan-trials.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { TrialNotRunningError, type Store } from '../../../benchmarks/store/store.js';
import { failedResult } from '../../../benchmarks/train/failed-result.js';
import { postgresBackend, sqliteBackend } from '../../support/store-backends.js';

const quick = loadSuite({ kind: 'builtin', name: 'quick' });
const owner = { token: 'run-1', host: 'h', scope: 's', pid: 1, processStart: '1' };

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe.runIf(backend.available())(`trial leases (${backend.name})`, () => {
    beforeAll(() => backend.setUp());
    afterEach(() => backend.closeAll());
    afterAll(() => backend.tearDown());

    async function suiteWithTrials(): Promise<{ store: Store; suiteId: number; ids: number[] }> {
      const store = await (await backend.fresh()).open();
      const suiteId = await store.createSuite({
        spec: quick.spec,
        baseDir: quick.baseDir,
        backendChoice: 'wasm',
        env: environmentInfo(null),
        trials: planTrials(quick.spec),
        owner,
      });
      return { store, suiteId, ids: (await store.listTrials(suiteId)).map((t) => t.id) };
    }

    it('beats only for the token running the trial, lists running trials with their heartbeat, hands one back', async () => {
      const { store, suiteId, ids } = await suiteWithTrials();
      const [a, b] = [ids[0]!, ids[1]!];
      expect(await store.markTrialRunning(a, 'job:a')).toBe(true);
      expect(await store.markTrialRunning(b, 'job:b')).toBe(true);
      expect(await store.listTrialLeases(suiteId)).toEqual([
        { id: a, token: 'job:a', heartbeatAt: null, worker: null },
        { id: b, token: 'job:b', heartbeatAt: null, worker: null },
      ]);

      const before = Date.now();
      expect(await store.trialHeartbeat(a, 'job:a')).toBe(true);
      expect(await store.trialHeartbeat(a, 'job:b')).toBe(false);
      expect(await store.trialHeartbeat(ids[2]!, 'job:a')).toBe(false); // pending: no lease to refresh
      const leases = await store.listTrialLeases(suiteId);
      expect(leases[0]!.heartbeatAt).toBeGreaterThanOrEqual(before);
      expect(leases[1]!.heartbeatAt).toBeNull();

      expect(await store.handBackTrial(a, 'job:b')).toBe(false);
      expect(await store.handBackTrial(a, 'job:a')).toBe(true);
      expect((await store.getTrial(a))!.status).toBe('pending');
      expect((await store.listTrialLeases(suiteId)).map((l) => l.id)).toEqual([b]);
      // the silent holder can neither beat nor write any more; the next taker can
      expect(await store.trialHeartbeat(a, 'job:a')).toBe(false);
      const result = failedResult('x', { name: 'wasm', device: 'cpu' });
      await expect(store.finishTrial(a, 'job:a', result)).rejects.toBeInstanceOf(TrialNotRunningError);
      expect(await store.markTrialRunning(a, 'job:c')).toBe(true);
      await store.finishTrial(a, 'job:c', result);
      expect((await store.getTrial(a))!.status).toBe('failed');
    });
  });
}
