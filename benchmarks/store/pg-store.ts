import type pg from 'pg';
import {
  checkPgSchema,
  connectError,
  createPgPool,
  inTransaction,
  migratePg,
  redactUrl,
  type PgPoolOptions,
} from './pg-connect.js';
import { compileSql, parameterValues, type CompiledSql } from './sql-dialect.js';
import { SqlStore, type SqlDriver, type Step, type Work } from './sql-store.js';

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Runs the store's work on a shared PostgreSQL database (node-postgres, one pool per process): an `atomic` piece of
 * work is one transaction on one connection. Checks that must hold until the write (who holds a suite) lock the
 * suite's row (`SELECT … FOR UPDATE`); writes guarded by a status (take a pending trial, finish a running one) are
 * single UPDATEs whose WHERE clause PostgreSQL re-checks after waiting for a concurrent writer, so of two racing
 * writers exactly one changes the row.
 */
class PgDriver implements SqlDriver {
  private readonly compiled = new Map<string, CompiledSql>();

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  private async run(db: Queryable, step: Step): Promise<unknown> {
    let compiled = this.compiled.get(step.sql);
    if (!compiled) {
      compiled = compileSql(step.sql, 'postgres');
      this.compiled.set(step.sql, compiled);
    }
    const result = await db.query(compiled.text, parameterValues(compiled.names, step.params));
    return step.returns === 'rows' ? result.rows : (result.rowCount ?? 0);
  }

  private async drive<T>(db: Queryable, work: Work<T>): Promise<T> {
    let next = work.next();
    while (!next.done) next = work.next(await this.run(db, next.value));
    return next.value;
  }

  atomic<T>(work: Work<T>): Promise<T> {
    return inTransaction(this.pool, (client) => this.drive(client, work));
  }

  async direct<T>(work: Work<T>): Promise<T> {
    return this.drive(this.pool, work);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/**
 * The Store in a shared PostgreSQL database, for suites run from several machines: the same schema, statements and
 * guarantees as SqliteStore (see Store and SqlStore).
 */
export class PgStore extends SqlStore {
  private constructor(
    /** The pool, for what is not the store's: the queue's notifications (distributed/progress-channel.ts). */
    readonly pool: pg.Pool,
    url: string,
  ) {
    super(new PgDriver(pool, redactUrl(url)));
  }

  /**
   * Connects to `url` and brings the schema up to date (migrations under an advisory lock), or with `readonly`
   * only checks that the schema is this program's and makes every transaction read-only. Rejects with one UserError
   * (bad URL, server unreachable, authentication refused, no such database, schema newer than this program).
   */
  static async open(url: string, options: PgPoolOptions = {}): Promise<PgStore> {
    const readonly = options.readonly ?? false;
    let pool: pg.Pool | undefined;
    try {
      pool = createPgPool(url, options);
      if (readonly) await checkPgSchema(pool, url);
      else await migratePg(pool, url, options);
      return new PgStore(pool, url);
    } catch (error) {
      await pool?.end().catch(() => {});
      throw connectError(url, error, readonly);
    }
  }
}
