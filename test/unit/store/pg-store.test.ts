/**
 * What only the PostgreSQL store has: its schema against SQLite's, migrations applied once when several processes
 * connect at once, a schema newer or older than the program, read-only opening, and the one-line errors for a
 * server that cannot be reached or opened. The contract both stores keep is in store-contract.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUITE_STATUSES, TRIAL_STATUSES } from '../../../benchmarks/domain.js';
import { UserError } from '../../../benchmarks/errors.js';
import { environmentInfo } from '../../../benchmarks/runner/environment.js';
import { MIGRATIONS } from '../../../benchmarks/store/migrations.js';
import { openDb } from '../../../benchmarks/store/open-db.js';
import { openStore } from '../../../benchmarks/store/open-store.js';
import { PG_MIGRATIONS } from '../../../benchmarks/store/pg-migrations.js';
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js';
import { requireSystem } from '../../support/system.js';

let databases = 0;

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

it('has as many PostgreSQL migrations as SQLite ones (the schema versions mean the same in both)', () => {
  expect(PG_MIGRATIONS).toHaveLength(MIGRATIONS.length);
});

describe.skipIf(!requireSystem('postgresql'))('PgStore', () => {
  let server: PostgresServer;
  const fresh = () => server.createDatabase(`tb_pg_${process.pid}_${++databases}`);
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it('has the SQLite schema: the same tables, columns in the same order, the same kinds of values and statuses', async () => {
    const url = await fresh();
    await (await openStore(url)).close();
    const sqlite = openDb(join(mkdtempSync(join(tmpdir(), 'tb-schema-')), 'results.db'));
    const kind = (type: string) =>
      /^(integer|bigint)$/i.test(type)
        ? 'integer'
        : /^(real|double precision)$/i.test(type)
          ? 'real'
          : type.toLowerCase();
    for (const table of ['suites', 'trials', 'epochs']) {
      const pgColumns = await query<{ column_name: string; data_type: string; is_nullable: string }>(
        url,
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      const sqliteColumns = sqlite.prepare(`PRAGMA table_info(${table})`).all() as {
        name: string;
        type: string;
        notnull: number;
        pk: number;
      }[];
      expect(pgColumns.map((c) => [c.column_name, kind(c.data_type), c.is_nullable === 'NO'])).toEqual(
        sqliteColumns.map((c) => [c.name, kind(c.type), c.notnull === 1 || (c.pk > 0 && c.type === 'INTEGER')]),
      );
    }
    sqlite.close();
    const checks = await query<{ table: string; def: string }>(
      url,
      `SELECT conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c'`,
    );
    const statuses = (table: string) =>
      [...checks.find((c) => c.table === table)!.def.matchAll(/'(\w+)'/g)].map((m) => m[1]);
    expect(statuses('trials')).toEqual([...TRIAL_STATUSES]);
    expect(statuses('suites')).toEqual([...SUITE_STATUSES]);
    const unique = await query<{ def: string }>(
      url,
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'u' AND conrelid = 'trials'::regclass`,
    );
    expect(unique.map((u) => u.def)).toEqual(['UNIQUE (suite_id, approach, train_size, seed)']);
  });

  it('migrates once when several processes connect to a new database at once', async () => {
    const url = await fresh();
    const stores = await Promise.all([openStore(url), openStore(url), openStore(url), openStore(url)]);
    await Promise.all(stores.map((store) => store.close()));
    expect(await query(url, 'SELECT version FROM transfer_bench_schema')).toEqual([{ version: PG_MIGRATIONS.length }]);
  });

  it('upgrades a database written by an older version and keeps its rows; read-only commands ask for migrate first', async () => {
    const url = await fresh();
    await query(
      url,
      `CREATE TABLE transfer_bench_schema (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), version integer NOT NULL)`,
    );
    await query(url, PG_MIGRATIONS[0]!);
    await query(url, 'INSERT INTO transfer_bench_schema (version) VALUES (1)');
    await query(
      url,
      `INSERT INTO suites (name, status, spec_json, base_dir, backend_choice, env_json, created_at)
       VALUES ('old', 'done', '{}', '/', 'auto', '{}', '2025-01-01T00:00:00.000Z')`,
    );
    const where = url;
    await expect(openStore(url, { readonly: true })).rejects.toThrow(
      `database ${where} was written by an older transfer-bench (schema version 1, this one reads ${PG_MIGRATIONS.length}): upgrade it once with \`transfer-bench migrate --db ${where}\``,
    );
    const store = await openStore(url);
    try {
      expect((await store.listSuites()).map((s) => s.name)).toEqual(['old']);
    } finally {
      await store.close();
    }
    expect(await query(url, 'SELECT version FROM transfer_bench_schema')).toEqual([{ version: PG_MIGRATIONS.length }]);
  });

  it('issue 16 defect 10: a worker never migrates; an upgrade waits until no process of another version is connected, and says what it does', async () => {
    const url = await fresh();
    await query(
      url,
      `CREATE TABLE transfer_bench_schema (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), version integer NOT NULL)`,
    );
    for (const migration of PG_MIGRATIONS.slice(0, 3)) await query(url, migration);
    await query(url, 'INSERT INTO transfer_bench_schema (version) VALUES (3)');
    await query(
      url,
      `INSERT INTO suites (name, status, spec_json, base_dir, backend_choice, env_json, created_at)
       VALUES ('old', 'done', '{}', '/', 'auto', '{}', '2025-01-01T00:00:00.000Z')`,
    );
    const version = async () => (await query<{ version: number }>(url, 'SELECT version FROM transfer_bench_schema'))[0];
    // A worker (migrate: false) refuses in one line that says to run migrate, and changes nothing.
    const worker = await openStore(url, { migrate: false }).catch((e: unknown) => e);
    expect(worker).toBeInstanceOf(UserError);
    expect((worker as Error).message).toBe(
      `database ${url} has schema version 3 and this transfer-bench uses ${PG_MIGRATIONS.length}: a worker never upgrades a database (workers of the older version may still be using it); stop them, run \`transfer-bench migrate --db ${url}\` once, then start the workers again`,
    );
    expect(await version()).toEqual({ version: 3 });
    // A process of an older version is connected (an older release names itself "transfer-bench"; a later one its
    // schema version): the upgrade is refused, naming it, and nothing changes.
    for (const name of ['transfer-bench', 'transfer-bench schema 3', 'transfer-bench progress']) {
      const older = new pg.Client({ connectionString: url, application_name: name });
      await older.connect();
      try {
        const refused = await openStore(url).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(UserError);
        expect((refused as Error).message).toMatch(
          new RegExp(
            `^database ${url} is in use by 1 connection of another transfer-bench version \\("${name}" from .* since .* UTC\\): it is upgraded from schema version 3 to ${PG_MIGRATIONS.length} only when none is connected; stop those processes`,
          ),
        );
        expect(await version()).toEqual({ version: 3 });
      } finally {
        await older.end();
      }
    }
    // Other programs and processes of this version do not hold it back; the upgrade says what it does first.
    const other = new pg.Client({ connectionString: url, application_name: 'psql' });
    await other.connect();
    const plans: unknown[] = [];
    try {
      const store = await openStore(url, { onMigrate: (plan) => plans.push(plan) });
      expect((await store.listSuites()).map((s) => s.name)).toEqual(['old']);
      await store.close();
    } finally {
      await other.end();
    }
    expect(plans).toEqual([
      { from: 3, to: PG_MIGRATIONS.length, steps: [expect.stringMatching(/^4: the host and worker/)] },
    ]);
    expect(await version()).toEqual({ version: PG_MIGRATIONS.length });
    // A worker on an empty database creates its tables (nothing to upgrade, nobody on an older schema).
    const empty = await fresh();
    await (await openStore(empty, { migrate: false })).close();
    expect(await query(empty, 'SELECT version FROM transfer_bench_schema')).toEqual([
      { version: PG_MIGRATIONS.length },
    ]);
  });

  it('refuses a database from a newer version with one line naming both versions, and changes nothing', async () => {
    const url = await fresh();
    await (await openStore(url)).close();
    await query(url, 'UPDATE transfer_bench_schema SET version = $1', [PG_MIGRATIONS.length + 1]);
    const line = `database ${url} has schema version ${PG_MIGRATIONS.length + 1}, newer than this transfer-bench understands (${PG_MIGRATIONS.length}): upgrade transfer-bench or use another --db`;
    await expect(openStore(url)).rejects.toThrow(new UserError(line));
    await expect(openStore(url, { readonly: true })).rejects.toThrow(line);
    expect(await query(url, 'SELECT version FROM transfer_bench_schema')).toEqual([
      { version: PG_MIGRATIONS.length + 1 },
    ]);
  });

  it('read-only: an empty database is refused, and a store opened read-only cannot write', async () => {
    const url = await fresh();
    await expect(openStore(url, { readonly: true })).rejects.toThrow(
      `database ${url} is empty: run a suite first, or give the right --db`,
    );
    expect(await query(url, `SELECT to_regclass('transfer_bench_schema') AS t`)).toEqual([{ t: null }]);
    await (await openStore(url)).close();
    const store = await openStore(url, { readonly: true });
    try {
      const write = store.createSuite({
        spec: { name: 'x' } as never,
        baseDir: '/',
        backendChoice: 'auto',
        env: environmentInfo(null),
        trials: [],
        owner: { token: 't', host: 'h', scope: '', pid: 1, processStart: '1' },
      });
      await expect(write).rejects.toThrow(/read-only transaction/);
      expect(await store.listSuites()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps the password out of its location and messages', async () => {
    const url = await fresh();
    const withPassword = url.replace('postgres@', 'postgres:s3cret@');
    const store = await openStore(withPassword);
    try {
      expect(store.location).toBe(url);
    } finally {
      await store.close();
    }
    const missing = withPassword.replace(/\/[^/]+$/, '/no_such_db');
    const error = await openStore(missing).catch((e: unknown) => e);
    expect(String(error)).not.toContain('s3cret');
  });

  it('carries on after the server restarted: the next call opens a new connection', async () => {
    const url = await fresh();
    const store = await openStore(url);
    try {
      expect(await store.listSuites()).toEqual([]);
      // restart() blocks this process (spawnSync) as a restart elsewhere would not: let the pool hear that its idle
      // connection was closed, as it would while the process waits.
      await server.restart();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await store.listSuites()).toEqual([]);
      expect(await store.heartbeat(1, 'nobody')).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('a server that cannot be reached or opened: one line naming the database, the cause and what to do', async () => {
    const port = await closedPort();
    const refused = `postgres://postgres@127.0.0.1:${port}/results`;
    await expect(openStore(refused)).rejects.toThrow(
      new RegExp(`^database ${refused} cannot be opened: .*ECONNREFUSED.*; is PostgreSQL running there`),
    );
    const noDb = `postgres://postgres@127.0.0.1:${server.port}/no_such_db`;
    await expect(openStore(noDb)).rejects.toThrow(
      `database ${noDb} cannot be opened: database "no_such_db" does not exist (3D000); create the database first`,
    );
    const noRole = `postgres://nobody@127.0.0.1:${server.port}/postgres`;
    await expect(openStore(noRole)).rejects.toThrow(
      `database ${noRole} cannot be opened: role "nobody" does not exist (28000); check the user name and password`,
    );
    await expect(openStore('postgres://')).rejects.toThrow(/^--db postgres:\/\/ names no server/);
    await expect(openStore('postgresql://user@[bad')).rejects.toThrow(/is not a valid PostgreSQL URL/);
    for (const bad of [refused, noDb, noRole]) {
      const error = await openStore(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(String((error as Error).message)).not.toContain('\n');
    }
  });
});
