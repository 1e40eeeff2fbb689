/**
 * The store implementations as test subjects, so that one contract test runs against each (Optuna's way with its
 * storages). Each backend makes a fresh empty database per call of `fresh()` and can open several stores on it (two
 * processes sharing one database). PostgreSQL: one throwaway server per test file (`setUp` in beforeAll), a database
 * per `fresh()`; it needs `requireSystem('postgresql')`.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_MIGRATIONS } from '../../benchmarks/store/migrations.js';
import { openStore } from '../../benchmarks/store/open-store.js';
import { compileSql, parameterValues, type Params } from '../../benchmarks/store/sql-dialect.js';
import { environmentInfo } from '../../benchmarks/runner/environment.js';
import { planTrials } from '../../benchmarks/runner/plan-trials.js';
import { loadSuite } from '../../benchmarks/spec/load-suite.js';
import type { RunOwner, Store } from '../../benchmarks/store/store.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { requireSystem } from './system.js';

export interface FreshDatabase {
  /** Where it is: an SQLite path or a postgres:// URL, as `--db` takes it. */
  location: string;
  /** Opens one more store on this database (closed by `closeAll`). */
  open(): Promise<Store>;
  /**
   * Runs one statement on the database itself, beside the store (to look at rows, or damage them): one text for
   * both, parameters `@name` as in the store's statements. The rows it returns; none for a statement that returns none.
   */
  sql<T>(text: string, params?: Params): Promise<T[]>;
}

export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** False (after recording why) when the system lacks what it needs: the tests are skipped. */
  available: () => boolean;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  fresh(): Promise<FreshDatabase>;
  /** Closes every store opened since the last call. */
  closeAll(): Promise<void>;
}

function backend(name: StoreBackend['name'], newLocation: () => Promise<string>, extra: Partial<StoreBackend> = {}) {
  const opened: Store[] = [];
  const impl: StoreBackend = {
    name,
    available: () => true,
    setUp: async () => {},
    tearDown: async () => {},
    async fresh() {
      const location = await newLocation();
      return {
        location,
        async open() {
          const store = await openStore(location);
          opened.push(store);
          return store;
        },
        sql: (text, params = {}) => rawSql(name, location, text, params),
      };
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    },
    ...extra,
  };
  return impl;
}

async function rawSql<T>(backend: StoreBackend['name'], location: string, sql: string, params: Params): Promise<T[]> {
  const { text, names } = compileSql(sql, backend === 'SQLite' ? 'sqlite' : 'postgres');
  const values = parameterValues(names, params);
  if (backend === 'SQLite') {
    const db = new Database(location);
    try {
      const statement = db.prepare(text);
      const bound = names.length > 0 ? [Object.fromEntries(names.map((n, i) => [n, values[i]]))] : [];
      if (statement.reader) return statement.all(...bound) as T[];
      statement.run(...bound);
      return [];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

export function sqliteBackend(): StoreBackend {
  return backend('SQLite', async () => join(mkdtempSync(join(tmpdir(), 'tb-store-')), 'results.db'));
}

let databases = 0;

export function postgresBackend(): StoreBackend & { server: () => PostgresServer } {
  let server: PostgresServer | null = null;
  const impl = backend(
    'PostgreSQL',
    async () => {
      if (!server) throw new Error('postgresBackend: call setUp() in beforeAll first');
      return server.createDatabase(`tb_test_${process.pid}_${++databases}`);
    },
    {
      available: () => requireSystem('postgresql'),
      async setUp() {
        server = await startPostgres();
      },
      async tearDown() {
        await impl.closeAll();
        await server?.stop();
        server = null;
      },
    },
  );
  return Object.assign(impl, {
    server: () => {
      if (!server) throw new Error('postgresBackend: call setUp() in beforeAll first');
      return server;
    },
  });
}

/**
 * Makes the empty PostgreSQL database at `url` what a program of schema `version` left: its tables and version, and
 * one finished suite named "old".
 */
export async function olderPostgresSchema(url: string, version: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE transfer_bench_schema (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), version integer NOT NULL)`,
    );
    for (const migration of PG_MIGRATIONS.slice(0, version)) await client.query(migration);
    await client.query('INSERT INTO transfer_bench_schema (version) VALUES ($1)', [version]);
    await client.query(
      `INSERT INTO suites (name, status, spec_json, base_dir, backend_choice, env_json, created_at)
       VALUES ('old', 'done', '{}', '/', 'auto', '{}', '2025-01-01T00:00:00.000Z')`,
    );
  } finally {
    await client.end();
  }
}

/** Stores the built-in suite `quick` with every trial pending, held by `owner`; its id and its trials' ids in order. */
export async function createQuickSuite(store: Store, owner: RunOwner): Promise<{ suiteId: number; ids: number[] }> {
  const quick = loadSuite({ kind: 'builtin', name: 'quick' });
  const suiteId = await store.createSuite({
    spec: quick.spec,
    baseDir: quick.baseDir,
    backendChoice: 'wasm',
    env: environmentInfo(null),
    trials: planTrials(quick.spec),
    owner,
  });
  return { suiteId, ids: (await store.listTrials(suiteId)).map((t) => t.id) };
}
