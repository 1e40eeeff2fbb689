/**
 * Connecting to the shared PostgreSQL database: the URL checked, a pool of connections, and the schema brought up to
 * date under an advisory lock (or only checked, read-only). Every failure is one UserError that names the database
 * (without its password), the cause and what to do.
 */
import pg from 'pg';
import { UserError } from '../errors.js';
import { isPostgresUrl, redactUrl } from './location.js';
import { PG_MIGRATIONS } from './migrations.js';
import { SCHEMA_VERSION, checkSchemaVersion, migrationPlan, type MigrationPlan } from './schema-version.js';

export { isPostgresUrl, redactUrl };

/**
 * How this program's connections name themselves to the server (`application_name`, seen in pg_stat_activity): with
 * the schema version it uses, so that `migrate` can tell processes of another version still connected (older
 * versions named themselves plain "transfer-bench"). The queue's and the progress listener's connections too.
 */
export const APPLICATION_NAME = `transfer-bench schema ${SCHEMA_VERSION}`;

/** Checks the URL's form before anything connects: a UserError saying what a URL looks like. */
export function checkPostgresUrl(location: string): void {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new UserError(
      `--db ${redactUrl(location)} is not a valid PostgreSQL URL: give postgres://user[:password]@host[:port]/database`,
    );
  }
  if (!url.hostname && !url.searchParams.get('host')) {
    throw new UserError(
      `--db ${redactUrl(location)} names no server: give postgres://user[:password]@host[:port]/database`,
    );
  }
}

const INT8_OID = 20;

/**
 * bigint columns and COUNT(*) as JavaScript numbers (node-postgres returns them as strings by default). Our values
 * (ids, seeds, byte counts, ms timestamps) are far below 2^53; a larger one is an error, never a silently rounded one.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`integer ${text} in the database is too large for a number`);
  return value;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PgPoolOptions {
  /** Every transaction read-only (list, export, report): the server refuses any write. */
  readonly?: boolean;
  /** Connections at most in this process's pool (default 4: many machines share one server). */
  max?: number;
  /** False: an older schema is refused, never upgraded (`worker`); see SchemaPolicy. Default true. */
  migrate?: boolean;
  /** Told what an upgrade will do, before it starts; not called when there is nothing to do. */
  onMigrate?: (plan: MigrationPlan) => void;
}

/** A pool of connections to `location` (nothing connects until the first query). */
export function createPgPool(location: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: location,
    max: options.max ?? 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: APPLICATION_NAME,
    types,
    ...(options.readonly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle connection that breaks (the server restarted) is dropped by the pool, which reports it here; without a
  // listener the process would crash. The next query opens a new connection, and fails then if the server is away.
  pool.on('error', () => {});
  return pool;
}

/** The error's own message, for errors that have none (Node's AggregateError for a refused connection). */
export function describePgError(error: unknown): string {
  const { message, code, errors } = error as { message?: unknown; code?: unknown; errors?: unknown };
  const text =
    typeof message === 'string' && message !== ''
      ? message
      : Array.isArray(errors) && errors[0] instanceof Error && errors[0].message
        ? errors[0].message
        : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/** What to do about a database that cannot be reached or opened, by cause. */
function advice(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = (error as { message?: unknown }).message;
  switch (code) {
    case 'ECONNREFUSED':
      return 'is PostgreSQL running there, listening on that port? Check the host and port in --db';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'check the host name in --db';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the server cannot be reached: check the host, the port and the network';
    case '28P01':
    case '28000':
      return 'check the user name and password in --db (or PGPASSWORD, ~/.pgpass) and the server’s pg_hba.conf';
    case '3D000':
      return 'create the database first (createdb, or CREATE DATABASE), or give another --db';
    case '42501':
      return 'this user may not create tables there: grant it, or run `transfer-bench migrate` once as a user who may';
    case '57P03':
      return 'the server is starting up or shutting down: try again in a moment';
  }
  if (typeof message === 'string' && /Connection terminated unexpectedly/i.test(message)) {
    return 'the connection was closed before the server answered: check the host and port (is a PostgreSQL server there?) and the network';
  }
  if (typeof message === 'string' && /timeout/i.test(message)) {
    return 'the server did not answer in time: check the host, the port and the network';
  }
  return 'give another --db, or fix the server';
}

/** Any failure to reach or open the database as one UserError naming it and what to do. */
export function connectError(location: string, error: unknown, readonly: boolean): UserError {
  if (error instanceof UserError) return error;
  return new UserError(
    `database ${redactUrl(location)} cannot be ${readonly ? 'read' : 'opened'}: ${describePgError(error)}; ${advice(error)}`,
  );
}

/** The schema's version: 0 when the database has no transfer-bench tables yet. */
async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const present = await client.query<{ present: boolean }>(
    `SELECT to_regclass('transfer_bench_schema') IS NOT NULL AS present`,
  );
  if (!present.rows[0]!.present) return 0;
  const { rows } = await client.query<{ version: number }>('SELECT version FROM transfer_bench_schema');
  return rows[0]?.version ?? 0;
}

/** Any number: the key of the advisory lock that serialises migrations of one database across processes. */
const MIGRATION_LOCK = 7_402_951_368;

/** Connections of transfer-bench processes of another version to this database (not this one's, not other programs'). */
async function otherVersions(client: pg.ClientBase): Promise<{ name: string; host: string; since: string }[]> {
  const { rows } = await client.query<{ name: string; host: string | null; since: Date }>(
    `SELECT application_name AS name, host(client_addr) AS host, backend_start AS since FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND (application_name = 'transfer-bench' OR application_name LIKE 'transfer-bench %')
       AND application_name <> $1 AND application_name NOT LIKE $1 || ' %'
     ORDER BY backend_start`,
    [APPLICATION_NAME],
  );
  return rows.map((r) => ({ name: r.name, host: r.host ?? 'a local socket', since: r.since.toISOString() }));
}

/** Refuses an upgrade while processes of another version are connected: they would go on with the old schema. */
async function refuseWhileOthersConnected(client: pg.ClientBase, where: string, version: number): Promise<void> {
  const others = await otherVersions(client);
  if (others.length === 0) return;
  const named = others
    .slice(0, 3)
    .map((o) => `"${o.name}" from ${o.host} since ${o.since.slice(0, 19).replace('T', ' ')} UTC`)
    .join(', ');
  const more = others.length > 3 ? ` and ${others.length - 3} more` : '';
  throw new UserError(
    `database ${where} is in use by ${others.length} connection${others.length === 1 ? '' : 's'} of another transfer-bench version (${named}${more}): it is upgraded from schema version ${version} to ${SCHEMA_VERSION} only when none is connected; stop those processes (Ctrl-C on each worker), then run this again`,
  );
}

/**
 * Brings the schema up to date: the missing migrations, each with its version, in one transaction that first takes
 * an advisory lock, so that of two processes connecting at once one migrates and the other then finds it done.
 * A database newer than this program is refused (nothing changed); so is an upgrade while processes of another
 * version are connected, and, with `migrate: false`, any upgrade (an empty database still gets its tables).
 */
export async function migratePg(
  pool: pg.Pool,
  location: string,
  options: Pick<PgPoolOptions, 'migrate' | 'onMigrate'> = {},
): Promise<void> {
  const where = redactUrl(location);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS transfer_bench_schema (
         only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
         version integer NOT NULL
       )`,
    );
    await client.query('INSERT INTO transfer_bench_schema (version) VALUES (0) ON CONFLICT DO NOTHING');
    let version = await schemaVersion(client);
    checkSchemaVersion(version, where, options.migrate === false ? 'refuse' : 'migrate');
    if (version > 0 && version < SCHEMA_VERSION) await refuseWhileOthersConnected(client, where, version);
    if (version < SCHEMA_VERSION) options.onMigrate?.(migrationPlan(version));
    for (; version < PG_MIGRATIONS.length; version++) {
      if (PG_MIGRATIONS[version]!.trim() !== '') await client.query(PG_MIGRATIONS[version]!);
      await client.query('UPDATE transfer_bench_schema SET version = $1', [version + 1]);
    }
  });
}

/**
 * Runs `work` in one transaction on one connection of the pool, committed when it returns and rolled back when it
 * throws. A connection that breaks meanwhile (the server restarted, or ended it) is never given back to the pool for
 * reuse, and its error event is caught (a checked-out client has no other listener: the process would crash).
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** For read-only commands: the schema must be exactly this program's; the database is not changed. */
export async function checkPgSchema(pool: pg.Pool, location: string): Promise<void> {
  const client = await pool.connect();
  try {
    checkSchemaVersion(await schemaVersion(client), redactUrl(location), 'read');
  } finally {
    client.release();
  }
}
