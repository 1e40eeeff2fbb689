/**
 * How workers take trials of a distributed suite (benchmarks/distributed/trial-claims.ts), on a real PostgreSQL: one
 * queue job's attempts share a token, so of a slow attempt and its retry the first result written is kept; a job of
 * an earlier run never takes a trial over; nothing is taken once the suite stopped.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialResult } from '../../../benchmarks/domain.js';
import { claimTrial, jobToken, releaseTrial } from '../../../benchmarks/distributed/trial-claims.js';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { planTrials } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { openStore } from '../../../benchmarks/store/open-store.js';
import { TrialNotRunningError, type Store } from '../../../benchmarks/store/store.js';
import { failedResult } from '../../../benchmarks/train/failed-result.js';
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js';
import { requireSystem } from '../../support/system.js';

const hasPostgres = requireSystem('postgresql');
const owner = { token: 'coordinator', host: 'h', scope: 's', pid: 1, processStart: '1' };
const worker = (n: number) => ({ host: `host-${n}`, name: `pid ${n} slot 1` });
const result = (accuracy: number): TrialResult => ({
  ...failedResult('', { name: 'wasm', device: 'cpu' }),
  status: 'done',
  error: null,
  testAccuracy: accuracy,
});

describe.runIf(hasPostgres)('taking a trial of a distributed suite', () => {
  let server: PostgresServer;
  let store: Store;
  let pool: pg.Pool;
  let suiteId: number;
  let trialIds: number[];

  beforeAll(async () => {
    server = await startPostgres();
    const url = await server.createDatabase('claims');
    store = await openStore(url);
    pool = new pg.Pool({ connectionString: url });
    const quick = loadSuite({ kind: 'builtin', name: 'quick' });
    suiteId = await store.createSuite({
      spec: quick.spec,
      baseDir: quick.baseDir,
      backendChoice: 'wasm',
      env: environmentInfo(null),
      trials: planTrials(quick.spec),
      owner,
    });
    trialIds = (await store.listTrials(suiteId)).map((t) => t.id);
  });
  afterAll(async () => {
    await pool?.end();
    await store?.close();
    await server?.stop();
  });

  it('counts attempts of one job (recording the worker of the latest), and keeps the first result written', async () => {
    const id = trialIds[0]!;
    const job = jobToken('a');
    expect(await claimTrial(pool, id, job, worker(1), { runToken: owner.token })).toBe(1);
    // another job (e.g. left by an earlier run) does not take a running trial
    expect(await claimTrial(pool, id, jobToken('b'), worker(2), { runToken: owner.token })).toBeNull();
    // the same job handed out again after its expiry: a second attempt on another worker
    expect(await claimTrial(pool, id, job, worker(2), { runToken: owner.token })).toBe(2);
    // both attempts finish: the first write is kept, the second is refused
    await store.finishTrial(id, job, result(0.9));
    await expect(store.finishTrial(id, job, result(0.1))).rejects.toBeInstanceOf(TrialNotRunningError);
    expect(await claimTrial(pool, id, job, worker(3), { runToken: owner.token })).toBeNull();
    const { rows } = await pool.query('SELECT status, test_accuracy, attempts, worker_host FROM trials WHERE id = $1', [
      id,
    ]);
    expect(rows).toEqual([{ status: 'done', test_accuracy: 0.9, attempts: 2, worker_host: 'host-2' }]);
  });

  it('gives a trial back as pending, and takes nothing once the suite stopped', async () => {
    const id = trialIds[1]!;
    expect(await claimTrial(pool, id, jobToken('c'), worker(1), { runToken: owner.token })).toBe(1);
    await releaseTrial(pool, id, jobToken('c'));
    expect((await store.getTrial(id))!.status).toBe('pending');
    await store.releaseSuite(suiteId, owner.token, { status: 'cancelled' });
    expect(await claimTrial(pool, id, jobToken('d'), worker(1), { runToken: owner.token })).toBeNull();
  });
});
