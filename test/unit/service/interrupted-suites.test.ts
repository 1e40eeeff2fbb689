import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { planTrials } from '../../../benchmarks/runner/plan-trials.js';
import { createEngineService } from '../../../benchmarks/service/engine-service.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { openDb } from '../../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../../benchmarks/store/sqlite-store.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

/** A database with one suite left `running` by a run on another host whose heartbeat stopped long ago. */
async function abandonedSuite(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'tb-abandoned-')), 'results.db');
  const db = openDb(path);
  const store = new SqliteStore(db);
  const suite = loadSuite({ kind: 'file', path: TINY_SUITE });
  const owner = { token: 'gone', host: 'elsewhere', scope: '', pid: 4242, processStart: '1' };
  const id = await store.createSuite({
    spec: suite.spec,
    baseDir: suite.baseDir,
    backendChoice: 'wasm',
    env: environmentInfo(null),
    trials: planTrials(suite.spec),
    owner,
  });
  await store.markTrialRunning((await store.listTrials(id))[0]!.id, 'gone');
  db.prepare('UPDATE suites SET heartbeat_at = ?').run(Date.now() - 60_000);
  db.close();
  return path;
}

describe('a suite whose run is gone', () => {
  it('reads as interrupted and resumable, recovered in the database by a service that writes', async () => {
    const dbPath = await abandonedSuite();
    const service = await createEngineService({ dbPath });
    try {
      const [listed] = await service.listSuites({});
      expect(listed).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^interrupted/) });
      expect(listed).not.toHaveProperty('owner');
      const { trials } = await service.getSuite({ suiteId: 1 });
      expect(trials[0]).toMatchObject({ status: 'cancelled' });
    } finally {
      await service.close();
    }
    const stored = await new SqliteStore(openDb(dbPath, { readonly: true })).requireSuite(1);
    expect(stored).toMatchObject({ status: 'cancelled', owner: null });
  });

  it('is shown the same way read-only, without writing the database', async () => {
    const dbPath = await abandonedSuite();
    const before = readFileSync(dbPath);
    const service = await createEngineService({ dbPath, readonly: true });
    try {
      const { suite, trials } = await service.getSuite({ suiteId: 1 });
      expect(suite).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^interrupted/) });
      expect(trials[0]!.status).toBe('cancelled');
    } finally {
      await service.close();
    }
    expect(readFileSync(dbPath).equals(before)).toBe(true);
  });
});
