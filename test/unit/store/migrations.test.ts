/**
 * Databases written by the code before the two stores shared one migration list and one set of statements (schema
 * version 5, test/fixtures/stores/: an SQLite file and a `pg_dump --inserts` of a PostgreSQL database, each holding a
 * suite with a done, a failed and a cancelled trial, written through that code's own store) open, migrate and read
 * back what they held, and take new writes: the schema they end with is the one a new database gets.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../benchmarks/store/migrations.js';
import { openStore } from '../../../benchmarks/store/open-store.js';
import type { Store } from '../../../benchmarks/store/store.js';
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js';
import { requireSystem } from '../../support/system.js';

const FIXTURES = resolve(import.meta.dirname, '..', '..', 'fixtures', 'stores');

/** What the earlier code wrote, read back through today's store. */
async function expectOldContents(store: Store): Promise<void> {
  const [suite, ...others] = await store.listSuites();
  expect(others).toEqual([]);
  expect(suite).toMatchObject({ name: 'quick', status: 'cancelled', baseDir: '/data', backendChoice: 'wasm' });
  expect(suite!.trialsFinished).toBe(2);
  const trials = await store.listTrials(suite!.id);
  expect(trials.slice(0, 2).map((t) => [t.status, t.testAccuracy, t.error])).toEqual([
    ['done', 0.875, null],
    ['failed', null, 'out of memory'],
  ]);
  const curve = await store.listEpochs(suite!.id);
  expect(curve.map((e) => [e.trialId, e.epoch, e.step, e.valAccuracy])).toEqual([
    [trials[0]!.id, 1, 10, 0.6],
    [trials[0]!.id, 2, 20, 0.6],
  ]);
}

/** Today's writes on the migrated database: a blob and a new suite. */
async function expectNewWrites(store: Store): Promise<void> {
  const { hash, uploaded } = await store.putBlob(Buffer.from('written after the upgrade'));
  expect(uploaded).toBe(true);
  expect((await store.getBlob(hash)).toString()).toBe('written after the upgrade');
  const [old] = await store.listSuites();
  const owner = { token: 'new-run', host: 'h', scope: 's', pid: 1, processStart: '1' };
  const id = await store.createSuite({
    spec: old!.spec,
    baseDir: '/data',
    backendChoice: 'wasm',
    env: old!.env,
    trials: [{ approach: 'scratch', trainSize: 10, seed: 1 }],
    owner,
  });
  expect(id).toBeGreaterThan(old!.id);
}

describe('a database written before the stores shared one schema and one SQL', () => {
  it('SQLite: the file opens, migrates to the current version and keeps every row', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tb-old-')), 'results.db');
    copyFileSync(join(FIXTURES, 'schema-5.db'), path);
    const store = await openStore(path);
    try {
      await expectOldContents(store);
      await expectNewWrites(store);
    } finally {
      await store.close();
    }
    // read-only opening refuses any schema but the current one
    await (await openStore(path, { readonly: true })).close();
  });

  describe.skipIf(!requireSystem('postgresql'))('PostgreSQL', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(() => server?.stop());

    it('the database opens, migrates to the current version and keeps every row, blob and pretrained model', async () => {
      const url = await server.createDatabase('old_schema');
      const dump = readFileSync(join(FIXTURES, 'schema-5-postgres.sql'), 'utf8')
        .split('\n')
        .filter((line) => !line.startsWith('\\')) // psql's own commands (\restrict)
        .join('\n');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(dump);
      } finally {
        await client.end();
      }
      const store = await openStore(url);
      try {
        await expectOldContents(store);
        const pretrained = await store.findPretrained('mlp-0123456789abcdef');
        expect(pretrained?.recordJson).toBe('{"epochs":3}');
        expect((await store.getBlob(pretrained!.blobHash)).toString()).toBe('a source model from the old schema');
        const [suite] = await store.listSuites();
        const worked = (await store.listTrials(suite!.id))[2]!;
        expect(worked.worker).toEqual({ host: 'worker-host', name: 'pid 7 slot 1', attempts: 1 });
        await expectNewWrites(store);
      } finally {
        await store.close();
      }
      const client2 = new pg.Client({ connectionString: url });
      await client2.connect();
      try {
        const { rows } = await client2.query('SELECT version FROM transfer_bench_schema');
        expect(rows).toEqual([{ version: MIGRATIONS.length }]);
      } finally {
        await client2.end();
      }
    });
  });
});
